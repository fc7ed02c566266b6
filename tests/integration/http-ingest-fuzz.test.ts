import fc from 'fast-check';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_CATEGORIES, INCIDENT_SOURCES } from '@/lib/domain/enums';
import { openDatabase } from '@/server/db/open-database';
import { MAX_BODY_BYTES } from '@/server/http/router';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/** DESIGN §5: malformed inputs on HTTP ingest, every one rejected with a reason and none a crash. */
const MALFORMED_TARGET = 10_000;
/** Requests fast-check makes; a batch carries ~10 malformed items, so this reaches the target. */
const RUNS = 1_250;
const TOKEN = 'fuzz-ingest-token-0123456789';
const KINDS = ['vehicles', 'workers', 'cameras', 'incidents'] as const;
type Kind = (typeof KINDS)[number];

/** Registered units: production refuses telemetry for ids no registry knows (FIELD_AUTO_REGISTER off). */
const UNITS = 20;
const vehicleIds = Array.from({ length: UNITS }, (_, k) => `FZ-CAR-${k}`);
const workerIds = Array.from({ length: UNITS }, (_, k) => `FZ-W-${k}`);
const cameraIds = Array.from({ length: UNITS }, (_, k) => `340200000013200${String(k).padStart(5, '0')}`);

/** Replaced in the serialised body by a literal JSON.stringify cannot write (a number beyond double range). */
const HUGE_LITERAL = '\u0000HUGE\u0000';
/** ...and one that stands for 10,000 nested arrays (fast-check could not print such a value in a report). */
const DEEP_LITERAL = '\u0000DEEP\u0000';
const DEEP_JSON = '['.repeat(10_000) + ']'.repeat(10_000);

const now = Date.now();
const ts = fc.integer({ min: now - 3_600_000, max: now });
const lng = fc.double({ min: 73, max: 135, noNaN: true });
const lat = fc.double({ min: 18, max: 54, noNaN: true });

const good: Record<Kind, fc.Arbitrary<Record<string, unknown>>> = {
  vehicles: fc.record(
    {
      id: fc.constantFrom(...vehicleIds),
      lng,
      lat,
      ts,
      speed: fc.integer({ min: 0, max: 120 }),
      heading: fc.integer({ min: 0, max: 359 }),
      status: fc.constantFrom('patrol', 'idle', 'responding'),
      crs: fc.constantFrom('wgs84', 'gcj02', 'bd09'),
    },
    { requiredKeys: ['id', 'lng', 'lat', 'ts'] },
  ),
  workers: fc.record(
    { id: fc.constantFrom(...workerIds), lng, lat, ts, status: fc.constantFrom('on_duty', 'off_duty') },
    { requiredKeys: ['id', 'lng', 'lat', 'ts'] },
  ),
  cameras: fc.record(
    {
      id: fc.constantFrom(...cameraIds),
      status: fc.constantFrom('online', 'offline', 'fault'),
      ts: fc.oneof(
        ts,
        ts.map((t) => new Date(t).toISOString()),
      ),
      name: fc.string({ maxLength: 20 }),
    },
    { requiredKeys: ['id', 'status', 'ts'] },
  ),
  incidents: fc.record(
    {
      id: fc.constant('(set when sent)'),
      category: fc.constantFrom(...INCIDENT_CATEGORIES),
      title: fc.string({ minLength: 1, maxLength: 40 }).map((s) => `事件 ${s}`),
      detail: fc.string({ maxLength: 200 }),
      lng,
      lat,
      priority: fc.constantFrom(1, 2, 3, 4),
      source: fc.constantFrom(...INCIDENT_SOURCES),
      reportedAt: ts,
      address: fc.string({ maxLength: 50 }),
    },
    { requiredKeys: ['id', 'category', 'title', 'lng', 'lat', 'priority', 'source', 'reportedAt'] },
  ),
};

/** Values no numeric field accepts (every numeric field here is bounded well inside ±1e308). */
const badNumber = fc.constantFrom<unknown>(
  'NaN',
  'Infinity',
  '12.5',
  '',
  null,
  true,
  {},
  [],
  [1, 2],
  1e308,
  -1e308,
  HUGE_LITERAL,
  DEEP_LITERAL,
);
const hugeString = fc.integer({ min: 5_000, max: 200_000 }).map((n) => 'x'.repeat(n));
const badString = fc.oneof(
  fc.constantFrom<unknown>('', null, 42, {}, [], HUGE_LITERAL, DEEP_LITERAL),
  hugeString,
);
const badEnum = fc.constantFrom<unknown>('flying', 'ONLINE', 0, 5, 1.5, null, '', ['patrol'], { v: 1 });

/** Per kind, one invalid value per field (required or optional): any one of them makes the item invalid. */
const badField: Record<Kind, Record<string, fc.Arbitrary<unknown>>> = {
  vehicles: {
    id: fc.oneof(badString, fc.constant('FZ-NOT-REGISTERED')),
    lng: fc.oneof(badNumber, fc.constantFrom(180.5, -181)),
    lat: fc.oneof(badNumber, fc.constantFrom(90.01, -91)),
    ts: fc.oneof(badNumber, fc.constantFrom('yesterday', '2026-13-45T99:99', 0, 946_684_799_999)),
    speed: fc.oneof(badNumber, fc.constantFrom(-1, 401)),
    heading: fc.oneof(badNumber, fc.constantFrom(-0.5, 360.5)),
    status: badEnum,
    crs: badEnum,
    name: fc.oneof(hugeString, fc.constantFrom<unknown>(1, {}, [])),
  },
  workers: {
    id: fc.oneof(badString, fc.constant('FZ-W-NOT-REGISTERED')),
    lng: badNumber,
    lat: badNumber,
    ts: badNumber,
    status: badEnum,
    crs: badEnum,
  },
  cameras: {
    id: fc.oneof(badString, fc.constantFrom('123', 'ABCDEFGHIJKLMNOPQRST', '340200000013200000011')),
    status: badEnum,
    ts: badNumber,
    lng: badNumber,
    streamUrl: fc.oneof(hugeString, fc.constantFrom<unknown>('javascript:alert(1)', 'ftp://x', 7)),
  },
  incidents: {
    id: badString,
    category: badEnum,
    title: fc.oneof(badString, fc.constant('   ')),
    detail: fc.oneof(hugeString, fc.constantFrom<unknown>(1, {}, [])),
    lng: badNumber,
    lat: badNumber,
    priority: badEnum,
    source: badEnum,
    reportedAt: fc.oneof(badNumber, fc.constant(now + 86_400_000)),
    gridCode: fc.constantFrom<unknown>('123', 'x'.repeat(15), 330102001001001),
    phone: hugeString,
  },
};

const REQUIRED: Record<Kind, string[]> = {
  vehicles: ['id', 'lng', 'lat', 'ts'],
  workers: ['id', 'lng', 'lat', 'ts'],
  cameras: ['id', 'status', 'ts'],
  incidents: ['id', 'category', 'title', 'lng', 'lat', 'priority', 'source', 'reportedAt'],
};

/** A malformed item: a good one with one field broken or a required one missing, or not an object at all. */
function bad(kind: Kind): fc.Arbitrary<unknown> {
  const fields = Object.keys(badField[kind]);
  const broken = fc
    .tuple(good[kind], fc.constantFrom(...fields))
    .chain(([item, field]) => badField[kind][field]!.map((v) => ({ ...item, [field]: v })));
  const missing = fc
    .tuple(good[kind], fc.constantFrom(...REQUIRED[kind]))
    .map(([item, field]) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== field)));
  const notObject = fc.constantFrom<unknown>(null, 0, 'report', true, [], [[]], DEEP_LITERAL);
  return fc.oneof(
    { weight: 6, arbitrary: broken },
    { weight: 2, arbitrary: missing },
    { weight: 1, arbitrary: notObject },
  );
}

interface Item {
  isGood: boolean;
  value: unknown;
}

/** A batch: malformed and good items mixed in random order. */
const batch = fc.constantFrom(...KINDS).chain((kind) =>
  fc
    .tuple(
      fc.array(
        bad(kind).map((value): Item => ({ isGood: false, value })),
        { minLength: 6, maxLength: 14 },
      ),
      fc.array(
        good[kind].map((value): Item => ({ isGood: true, value })),
        { maxLength: 6 },
      ),
    )
    .chain(([b, g]) => fc.shuffledSubarray([...b, ...g], { minLength: b.length + g.length }))
    .map((items) => ({ type: 'batch' as const, kind, items })),
);

/** A malformed body as a whole: not JSON, cut short, or the wrong content type. */
const badBody = fc.constantFrom(...KINDS).chain((kind) =>
  fc.oneof(
    fc
      .string({ maxLength: 200 })
      .filter((s) => !isJson(s))
      .map((text) => ({
        type: 'body' as const,
        kind,
        text,
        contentType: 'application/json',
        reason: 'bad_json',
      })),
    fc
      .tuple(
        fc.array(good[kind], { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
      )
      .map(([items, cut]) => {
        const text = JSON.stringify(items);
        return text.slice(0, Math.floor(text.length * cut));
      })
      .filter((text) => !isJson(text))
      .map((text) => ({
        type: 'body' as const,
        kind,
        text,
        contentType: 'application/json',
        reason: 'bad_json',
      })),
    fc
      .tuple(
        good[kind],
        fc.constantFrom(
          'text/html',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
        ),
      )
      .map(([item, contentType]) => ({
        type: 'body' as const,
        kind,
        text: JSON.stringify([item]),
        contentType,
        reason: 'unsupported_content_type',
      })),
  ),
);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface IngestAnswer {
  accepted?: number;
  duplicates?: number;
  rejected?: { index: number; reason: string }[];
}

/**
 * 10,000 malformed inputs on `POST /api/ingest/*` of the real server process (production settings:
 * FIELD_AUTO_REGISTER off), under fast-check: the server never crashes, each malformed item or body is
 * rejected with a reason (400, or 202 with per-item rejections), the good items in the same batch are
 * accepted, and /api/health counts both.
 */
describe('HTTP ingest under 10,000 malformed inputs', () => {
  let srv: ServerProcess;
  let dir: string;
  let sent = 0;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-fuzz-'));
    const dbPath = path.join(dir, 'pingan.db');
    const db = openDatabase(dbPath);
    const t = Date.now();
    for (const [table, ids] of [
      ['vehicles', vehicleIds],
      ['workers', workerIds],
      ['cameras', cameraIds],
    ] as const)
      for (const id of ids)
        db.$client.prepare(`INSERT INTO ${table} (id, name, created_at) VALUES (?, ?, ?)`).run(id, id, t);
    db.$client.close();
    srv = await startServerProcess(
      { DATABASE_PATH: dbPath, INGEST_TOKEN: TOKEN, FIELD_AUTO_REGISTER: '0' },
      { isApiOnly: true },
    );
  });
  afterAll(async () => {
    await srv?.stop('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const health = async () =>
    (await (await fetch(`${srv.url}/api/health`)).json()) as {
      ingest: { accepted: number; rejected: Record<string, number> };
    };
  const rejectedTotal = (h: Awaited<ReturnType<typeof health>>) =>
    Object.values(h.ingest.rejected).reduce((a, b) => a + b, 0);

  const post = async (kind: Kind, text: string, contentType: string | null) => {
    const headers: Record<string, string> = { ...auth };
    if (contentType) headers['content-type'] = contentType;
    const r = await fetch(`${srv.url}/api/ingest/${kind}`, { method: 'POST', headers, body: text });
    return { status: r.status, body: (await r.json()) as IngestAnswer };
  };

  it(`rejects each of ${MALFORMED_TARGET.toLocaleString('en')} malformed inputs with a reason and keeps the good ones`, async () => {
    const before = await health();
    let malformed = 0;
    let goodSent = 0;
    let acceptedSeen = 0;
    const reasons = new Map<string, number>();
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: batch }, { weight: 1, arbitrary: badBody }),
        async (c) => {
          if (c.type === 'body') {
            const r = await post(c.kind, c.text, c.contentType);
            expect(r.status, c.text.slice(0, 80)).toBe(c.reason === 'unsupported_content_type' ? 415 : 400);
            expect(r.body.accepted).toBe(0);
            expect(r.body.rejected).toEqual([{ index: -1, reason: c.reason }]);
            malformed++;
            reasons.set(c.reason, (reasons.get(c.reason) ?? 0) + 1);
            return;
          }
          const values = c.items.map((i) =>
            c.kind === 'incidents' && i.isGood ? { ...(i.value as object), id: `FZ-INC-${sent++}` } : i.value,
          );
          const text = JSON.stringify(values)
            .replaceAll(JSON.stringify(HUGE_LITERAL), '1e999')
            .replaceAll(JSON.stringify(DEEP_LITERAL), DEEP_JSON);
          const r = await post(c.kind, text, 'application/json');
          const nGood = c.items.filter((i) => i.isGood).length;
          const badIndexes = c.items.flatMap((i, k) => (i.isGood ? [] : [k]));
          const label = `${c.kind} ${text.slice(0, 300)}`;
          expect(r.status, label).toBe(nGood > 0 ? 202 : 400);
          expect(r.body.accepted, label).toBe(nGood);
          expect(
            r.body.rejected?.map((x) => x.index),
            label,
          ).toEqual(badIndexes);
          for (const x of r.body.rejected!) {
            expect(x.reason, label).toMatch(/\S/);
            reasons.set(x.reason, (reasons.get(x.reason) ?? 0) + 1);
          }
          malformed += badIndexes.length;
          goodSent += nGood;
          acceptedSeen += r.body.accepted!;
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    const elapsedMs = Date.now() - started;

    // The server is alive and counted every one of them.
    expect(srv.isRunning(), srv.logs.join('').slice(-2000)).toBe(true);
    const after = await health();
    expect(after.ingest.accepted - before.ingest.accepted).toBe(goodSent);
    expect(rejectedTotal(after) - rejectedTotal(before)).toBe(malformed);
    expect(acceptedSeen).toBe(goodSent);
    expect(malformed).toBeGreaterThanOrEqual(MALFORMED_TARGET);
    expect(srv.logLines().filter((l) => (l.level as number) >= 50)).toEqual([]);
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.info(
      `HTTP ingest fuzz: ${malformed} malformed inputs and ${goodSent} good items in ${RUNS} requests, ` +
        `${(elapsedMs / 1000).toFixed(1)} s; ${reasons.size} distinct reasons, most frequent: ` +
        top.map(([k, n]) => `${k} ${n}`).join(', '),
    );
  }, 300_000);

  it('refuses an oversize body and an upload cut off mid-way, counts both, and stays up', async () => {
    const before = await health();
    // One byte over the limit, declared honestly: refused before reading it all.
    const oversize = `[${'"x",'.repeat(MAX_BODY_BYTES / 4)}"x"]`;
    const r = await fetch(`${srv.url}/api/ingest/vehicles`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: oversize,
    }).catch((e: Error) => e);
    if (!(r instanceof Error)) {
      expect(r.status).toBe(413);
      expect(await r.json()).toMatchObject({
        accepted: 0,
        rejected: [{ index: -1, reason: 'body_too_large' }],
      });
    }
    // A body shorter than its Content-Length, then the connection closes.
    await new Promise<void>((resolve) => {
      const s = net.connect(srv.port, '127.0.0.1', () => {
        s.write(
          `POST /api/ingest/vehicles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"id":"FZ-CAR-1",`,
        );
        setTimeout(() => s.destroy(), 200);
      });
      s.on('error', () => {});
      s.on('close', () => resolve());
    });
    await expect
      .poll(async () => rejectedTotal(await health()) - rejectedTotal(before), { timeout: 10_000 })
      .toBe(2);
    const h = await health();
    expect(h.ingest.rejected['http:vehicle/body_too_large']).toBeGreaterThanOrEqual(1);
    expect(h.ingest.rejected['http:vehicle/body_incomplete']).toBeGreaterThanOrEqual(1);
    expect(srv.isRunning()).toBe(true);
  }, 60_000);
});
