import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database';
import { IncidentBoard } from '../live/incident-board';
import { createLogger } from '../logger';
import { startBoardReconcile } from './board-reconcile';

describe('board reconciliation with the shared database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-reconcile-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sqlite = openDatabase(path.join(dir, 'test.db')).$client;
  const insert = sqlite.prepare(
    `INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, state,
       assignee_kind, assignee_id, supervision, updated_at)
     VALUES (?, 'dispute', 't', 120, 30, 2, 'grid_worker', 1, 1, ?, ?, ?, 0, ?)`,
  );
  const set = sqlite.prepare(
    'UPDATE incidents SET state = ?, assignee_kind = ?, assignee_id = ?, updated_at = ? WHERE id = ?',
  );

  it('takes the changes a dead process committed but never relayed, and nothing it already has', () => {
    insert.run('A', 'reported', null, null, 10);
    insert.run('B', 'reported', null, null, 10);
    insert.run('C', 'reported', null, null, 10);
    const board = new IncidentBoard();
    let quietCalls = 0;
    const reconcile = startBoardReconcile({
      sqlite,
      board,
      quietly: (apply) => {
        quietCalls++;
        apply();
      },
      logger: createLogger('silent'),
      intervalMs: 60_000,
    });
    // A process that started late has none of them on its board yet.
    expect(reconcile.sweep()).toBe(3);
    expect(reconcile.sweep()).toBe(0);
    // Another process assigned A and closed B, then died before relaying either.
    set.run('dispatched', 'vehicle', 'V1', 20, 'A');
    set.run('closed', null, null, 20, 'B');
    // This process changed C itself more recently than the database says (its own, newer view stays).
    board.upsert({ ...board.get('C')!, updatedAt: 30, state: 'accepted' });
    expect(reconcile.sweep()).toBe(2);
    expect(board.get('A')).toMatchObject({ state: 'dispatched', assigneeKind: 'vehicle', assigneeId: 'V1' });
    expect(board.get('B')).toBeUndefined();
    expect(board.get('C')).toMatchObject({ state: 'accepted', updatedAt: 30 });
    expect(quietCalls).toBe(2);
    reconcile.close();
  });
});
