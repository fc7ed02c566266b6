import { sqliteSqlDb } from '../db/sql-db';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { openDatabase } from '../db/open-database';
import { AUDIT_LOG_ANCHOR_MS, AuditAnchor } from './audit-anchor';
import { SqlAudit } from './audit-append';

const entry = (action: string) => ({
  actor: 'admin',
  role: 'admin',
  clientAddress: null,
  action,
  objectType: 'test',
  objectId: null,
  result: 'ok' as const,
});

describe('audit head in the log', () => {
  it('writes the head (id and hash) when it moved, at most once per AUDIT_LOG_ANCHOR_MS', async () => {
    const db = openDatabase(':memory:');
    const clock = new FakeClock(1_000_000);
    const lines: { auditHead?: { id: number; hash: string } }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const audit = new SqlAudit(sqliteSqlDb(db.$client), clock);
    const anchor = new AuditAnchor(sqliteSqlDb(db.$client), null, clock, logger);
    const heads = () => lines.filter((l) => l.auditHead).map((l) => l.auditHead!.id);

    await anchor.tick();
    expect(heads()).toEqual([]); // an empty chain has no head
    const first = await audit.appendAlone(entry('a'));
    await anchor.tick();
    const row = db.$client.prepare('SELECT id, hash FROM audit_log WHERE id = ?').get(first);
    expect(lines.find((l) => l.auditHead)?.auditHead).toEqual(row);
    await audit.appendAlone(entry('b'));
    await anchor.tick();
    expect(heads()).toEqual([first]); // moved, but within the interval
    clock.advance(AUDIT_LOG_ANCHOR_MS);
    await anchor.tick();
    expect(heads()).toEqual([first, first + 1]);
    clock.advance(AUDIT_LOG_ANCHOR_MS);
    await anchor.tick();
    expect(heads()).toEqual([first, first + 1]); // unchanged: nothing new to say
    db.$client.close();
  });
});
