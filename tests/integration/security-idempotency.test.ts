import { sql } from 'drizzle-orm';
/**
 * Issue 16 item 8: idempotency is keyed on (source, the source's id). A 12345 work order and a 110 警情 that
 * happen to carry the same number are two incidents; the same (source, id) again is a duplicate. The API id
 * stays unique: the source's id when free, otherwise a qualified one, and re-delivery finds the same one.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { RedisBus } from '@/server/bus/redis-bus';
import { createLogger } from '@/server/logger';
import { TestRedis } from '../helpers/redis-server';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';
import { CENTER, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

const INGEST_TOKEN = 'ingest-token-for-idempotency-tests';

const report = (id: string, source: string, extra: Record<string, unknown> = {}) => ({
  id,
  category: 'citizen_request',
  title: `${source} 工单 ${id}`,
  lng: CENTER.lng,
  lat: CENTER.lat,
  priority: 3,
  source,
  reportedAt: Date.now() - 1_000,
  ...extra,
});

type Row = { id: string; source: string; source_ref: string; title: string };
const rowsFor = (t: TestApp, ref: string) =>
  t.app.ctx.sql.all<Row>(
    sql`SELECT id, source, source_ref, title FROM incidents WHERE source_ref = ${ref} ORDER BY source`,
  );

describe('incident idempotency per source: Redis stream', () => {
  let redis: TestRedis;
  let t: TestApp;
  let producer: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestApp({ bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }) });
    producer = createClient({ url: redis.url });
    producer.on('error', () => {});
    await producer.connect();
  }, 30_000);
  afterAll(async () => {
    await producer?.close().catch(() => {});
    await t?.close();
    await redis?.stop();
  });

  it('keeps a 12345 work order and a 110 警情 with the same number apart; a re-delivery stays one', async () => {
    const add = (r: object) => producer.xAdd(REDIS_KEYS.incidentStream, '*', { json: JSON.stringify(r) });
    await add(report('20261202-0042', 'hotline_12345'));
    await add(report('20261202-0042', 'police_110'));
    await add(report('20261202-0042', 'police_110', { title: '重复投递' }));
    await add(report('20261202-0042', 'hotline_12345', { title: '重复投递' }));
    await waitFor(
      () => (t.app.ctx.stats.rejected.get('redis:incident/duplicate') ?? 0) >= 2,
      10_000,
      'both re-deliveries counted as duplicates',
    );
    const rows = await rowsFor(t, '20261202-0042');
    expect(rows.map((r) => r.source)).toEqual(['hotline_12345', 'police_110']);
    expect(rows.find((r) => r.source === 'hotline_12345')!.id).toBe('20261202-0042');
    expect(rows.find((r) => r.source === 'police_110')!.id).toBe('police_110-20261202-0042');
    // The first copy of each stands; the repeats changed nothing.
    expect(rows.every((r) => !r.title.includes('重复'))).toBe(true);
    expect(t.app.ctx.live.incidents.get('police_110-20261202-0042')?.source).toBe('police_110');
  });
});

describe('incident idempotency per source: HTTP ingest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN } });
  });
  afterAll(() => t?.close());

  const post = async (items: object[]) => {
    const r = await fetch(`${t.url}/api/ingest/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(items),
    });
    return { status: r.status, body: (await r.json()) as { accepted: number; duplicates: number } };
  };

  it('accepts the same number from two sources, and each repeat is a duplicate', async () => {
    const first = await post([report('W-7', 'hotline_12345'), report('W-7', 'police_110')]);
    expect(first).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 0 } });
    const again = await post([report('W-7', 'police_110'), report('W-7', 'hotline_12345')]);
    expect(again).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 2 } });
    expect((await rowsFor(t, 'W-7')).map((r) => r.id)).toEqual(['W-7', 'police_110-W-7']);
  });

  it('falls back to a deterministic id when the qualified one is taken too, stable on re-delivery', async () => {
    // A sensor whose own id happens to read like another source's qualified id.
    expect((await post([report('sensor-Q9', 'sensor')])).body.accepted).toBe(1);
    expect((await post([report('Q9', 'hotline_12345')])).body.accepted).toBe(1);
    expect((await post([report('Q9', 'sensor')])).body.accepted).toBe(1);
    const sensorRow = (await rowsFor(t, 'Q9')).find((r) => r.source === 'sensor')!;
    expect(sensorRow.id).not.toBe('Q9');
    expect(sensorRow.id).not.toBe('sensor-Q9');
    expect(sensorRow.id.startsWith('sensor-Q9')).toBe(true);
    expect((await post([report('Q9', 'sensor')])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const ids = await t.app.ctx.sql.all(sql`SELECT id FROM incidents WHERE id LIKE '%Q9%'`);
    expect(ids).toHaveLength(3);
  });
});

describe('incident idempotency per source: 接警登记 (POST /api/incidents)', () => {
  let kit: DispatchKit;
  let dispatcher: string;
  beforeAll(async () => {
    kit = await startDispatchKit();
    dispatcher = await kit.login('dispatcher');
  });
  afterAll(() => kit?.close());

  it('logs a 110 call whose number a 12345 order already has, answers its own id, and repeats idempotently', async () => {
    const hotline = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: report('CALL-88', 'hotline_12345'),
    });
    expect(hotline.status).toBe(201);
    expect(hotline.body).toEqual({ ok: true, id: 'CALL-88', isDuplicate: false });

    const police = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: report('CALL-88', 'police_110'),
    });
    expect(police.status).toBe(201);
    expect(police.body).toEqual({ ok: true, id: 'police_110-CALL-88', isDuplicate: false });

    const repeat = await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: report('CALL-88', 'police_110'),
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ ok: true, id: 'police_110-CALL-88', isDuplicate: true });

    const detail = await kit.api('GET', '/api/incidents/police_110-CALL-88', { cookie: dispatcher });
    expect(detail.status).toBe(200);
    expect(detail.body.incident).toMatchObject({ id: 'police_110-CALL-88', source: 'police_110' });
    // The audit rows name the incident each call created or repeated.
    const audited = await kit.t.app.ctx.sql.all(
      sql`SELECT object_id, reason FROM audit_log WHERE action = 'incident.create' ORDER BY id`,
    );
    expect(audited).toEqual([
      { object_id: 'CALL-88', reason: null },
      { object_id: 'police_110-CALL-88', reason: null },
      { object_id: 'police_110-CALL-88', reason: 'duplicate' },
    ]);
  });
});
