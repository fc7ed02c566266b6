import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/server/db/open-database';
import { vehicles } from '@/server/db/schema';
import { createTerminalDirectory, phoneKey } from './terminal-directory';

let db: Db | undefined;
afterEach(() => db?.$client.close());

describe('terminal directory', () => {
  it('maps configured terminal phones to vehicles the way the gateway keys them', () => {
    db = openDatabase(':memory:');
    db.insert(vehicles)
      .values([
        { id: 'patrol-1', terminalPhone: '013912345678', createdAt: 0 },
        { id: 'patrol-2', terminalPhone: '139-0000-0002', createdAt: 0 },
        { id: 'patrol-3', createdAt: 0 },
      ])
      .run();
    const dir = createTerminalDirectory(db);
    expect(dir.resolve('13912345678')).toBe('patrol-1');
    expect(dir.resolve('13900000002')).toBe('patrol-2');
    expect(dir.resolve('13700000000')).toBeUndefined();
    db.insert(vehicles).values({ id: 'patrol-4', terminalPhone: '13700000000', createdAt: 0 }).run();
    dir.refresh();
    expect(dir.resolve('13700000000')).toBe('patrol-4');
    dir.close();
    expect(phoneKey('00000000013912345678')).toBe('13912345678');
  });
});
