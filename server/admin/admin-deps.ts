import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { AuditLog } from '../audit/audit-log';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { Logger } from '../logger';
import type { Authorize } from '../auth/guard';
import type { LoginLockout } from '../auth/login-limiter';

/** What every admin route module needs: the database, time, the audit chain and the role guard. */
export interface AdminDeps {
  sqlite: Database.Database;
  /** The same database through SqlDb: the route modules moved off `sqlite` use it, with `sqlAudit`. */
  sql: SqlDb;
  clock: Clock;
  audit: AuditLog;
  sqlAudit: SqlAudit;
  authorize: Authorize;
  logger?: Logger;
  /** The sign-in lock, which an admin's unlock clears for every source. */
  lockout?: LoginLockout;
  /** Demo mode and DEMO_PASSWORD, for the password policy. */
  passwordPolicy?: { isDemo: boolean; demoPassword?: string | null };
}

export const ADMIN = ['admin'] as const;
