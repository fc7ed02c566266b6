import type { Clock } from '@/lib/clock';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { Logger } from '../logger';
import type { Authorize } from '../auth/guard';
import type { LoginLockout } from '../auth/login-limiter';

/** What every admin route module needs: the database, time, the audit chain and the role guard. */
export interface AdminDeps {
  sql: SqlDb;
  clock: Clock;
  sqlAudit: SqlAudit;
  authorize: Authorize;
  logger?: Logger;
  /** The sign-in lock, which an admin's unlock clears for every source. */
  lockout?: LoginLockout;
  /** Demo mode and DEMO_PASSWORD, for the password policy. */
  passwordPolicy?: { isDemo: boolean; demoPassword?: string | null };
}

export const ADMIN = ['admin'] as const;
