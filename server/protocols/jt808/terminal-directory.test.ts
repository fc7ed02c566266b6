import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/server/db/open-database';
import { vehicles } from '@/server/db/schema';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { createLogger } from '@/server/logger';
import { notifyProvisioningChange } from '../provisioning-events';
import { authCodeMatches, createTerminalDirectory, hashAuthCode, phoneKey } from './terminal-directory';

const logger = createLogger('silent');
let db: Db | undefined;
afterEach(() => db?.$client.close());

describe('terminal directory', () => {
  it('maps configured terminal phones to vehicles the way the gateway keys them', async () => {
    db = openDatabase(':memory:');
    db.insert(vehicles)
      .values([
        { id: 'patrol-1', terminalPhone: '013912345678', createdAt: 0 },
        { id: 'patrol-2', terminalPhone: '139-0000-0002', createdAt: 0 },
        { id: 'patrol-3', createdAt: 0 },
      ])
      .run();
    const dir = await createTerminalDirectory(sqliteSqlDb(db.$client), { logger });
    expect(dir.resolve('13912345678')).toBe('patrol-1');
    expect(dir.resolve('13900000002')).toBe('patrol-2');
    expect(dir.resolve('13700000000')).toBeUndefined();
    db.insert(vehicles).values({ id: 'patrol-4', terminalPhone: '13700000000', createdAt: 0 }).run();
    await dir.refresh();
    expect(dir.resolve('13700000000')).toBe('patrol-4');
    dir.close();
    expect(phoneKey('00000000013912345678')).toBe('13912345678');
  });

  it('carries the code hash and the disabled flag, and refreshes at once on a provisioning change', async () => {
    db = openDatabase(':memory:');
    db.insert(vehicles)
      .values({
        id: 'patrol-1',
        terminalPhone: '13912345678',
        terminalAuthHash: hashAuthCode('c0de'),
        createdAt: 0,
      })
      .run();
    const dir = await createTerminalDirectory(sqliteSqlDb(db.$client), { logger, refreshMs: 3_600_000 });
    let changes = 0;
    dir.onChange!(() => changes++);
    expect(dir.lookup('13912345678')).toEqual({
      vehicleId: 'patrol-1',
      authHash: hashAuthCode('c0de'),
      isDisabled: false,
    });
    expect(authCodeMatches('c0de', dir.lookup('13912345678')!.authHash!)).toBe(true);
    expect(authCodeMatches('c0dE', dir.lookup('13912345678')!.authHash!)).toBe(false);
    db.$client.prepare('UPDATE vehicles SET disabled_at = 1').run();
    await notifyProvisioningChange();
    expect(dir.lookup('13912345678')!.isDisabled).toBe(true);
    expect(changes).toBe(1);
    dir.close();
    await notifyProvisioningChange(); // closed: no longer listening
    expect(changes).toBe(1);
  });
});
