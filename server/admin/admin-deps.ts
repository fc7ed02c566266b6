import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { AuditLog } from '../audit/audit-log';
import type { Logger } from '../logger';
import type { Authorize } from '../auth/guard';
import type { SessionStore } from '../auth/session-store';
import type { LoginLockout } from '../auth/login-limiter';

/** What every admin route module needs: the database, time, the audit chain and the role guard. */
export interface AdminDeps {
  sqlite: Database.Database;
  clock: Clock;
  audit: AuditLog;
  authorize: Authorize;
  sessions: SessionStore;
  logger?: Logger;
  /** The sign-in lock, which an admin's unlock clears for every source. */
  lockout?: LoginLockout;
  /** Demo mode and DEMO_PASSWORD, for the password policy. */
  passwordPolicy?: { isDemo: boolean; demoPassword?: string | null };
}

export const ADMIN = ['admin'] as const;
