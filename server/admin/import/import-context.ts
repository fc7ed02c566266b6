import type { Clock } from '@/lib/clock';
import type { Db } from '../../db/open-database';
import type { GridLocator } from '../../live/grid-locator';
import type { LiveState } from '../../live/live-state';

/** Who imports: a signed-in admin (HTTP) or the operator at the command line. */
export interface ImportActor {
  username: string;
  role: string;
  clientAddress: string | null;
}

/** What every import verb needs. `live` is the running app's state (absent for the command line). */
export interface ImportContext {
  db: Db;
  clock: Clock;
  actor: ImportActor;
  live?: LiveState;
  /** The running app's grid locator (the command line builds its own from the database). */
  grids?: () => GridLocator;
}

export interface ImportFile {
  bytes: Uint8Array;
  name: string | null;
}

export interface ImportOptions {
  dryRun: boolean;
}
