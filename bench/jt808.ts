/**
 * JT/T 808 gateway throughput: N simulated terminals over loopback, each keeping a window of location frames
 * in flight (a new one per platform answer), for a bounded time. Prints frames/s accepted by the gateway.
 *
 *   npx tsx bench/jt808.ts [terminals=1000] [seconds=8] [window=8]
 *
 * The gateway runs in this process (as in the server); the terminals run in a child process so that their
 * encoding work does not share the gateway's event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { payloadText } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { startJt808Gateway } from '@/server/protocols/jt808/gateway';
import { SimulatedTerminal } from '@/server/protocols/jt808/simulated-terminal';

/** Frames measured only after every terminal is connected and streaming. */
const WARMUP_MS = 1_000;
/** Distinct prebuilt frames per terminal (positions differ, so coalescing has real work). */
const FRAME_POOL = 16;
const FLAG = 0x7e;
const MAX_SECONDS = 20;

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--clients') await runClients(...(rest.map(Number) as [number, number, number, number]));
else
  await runGateway(Number(mode ?? 1_000), Math.min(MAX_SECONDS, Number(rest[0] ?? 8)), Number(rest[1] ?? 8));

async function runGateway(terminals: number, seconds: number, window: number): Promise<void> {
  const logger = createLogger('warn');
  const stats = new IngestStats(new Registry(), logger);
  const bus = new InProcessBus();
  let published = 0;
  let publishes = 0;
  await bus.onTelemetry((_kind, raw) => {
    publishes++;
    published += (JSON.parse(payloadText(raw)) as unknown[]).length;
  });
  const gw = await startJt808Gateway({
    port: 0,
    host: '127.0.0.1',
    bus,
    logger,
    stats,
    maxTerminals: terminals + 10,
    // Simulated terminals register themselves (demo mode), all from 127.0.0.1.
    autoRegister: true,
    maxConnectionsPerIp: terminals + 10,
  });
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--clients',
      String(gw.port),
      String(terminals),
      String(seconds + WARMUP_MS / 1_000),
      String(window),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const childDone = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  while (gw.connections() < terminals) await sleep(50);
  await sleep(WARMUP_MS);
  const a0 = stats.accepted;
  const p0 = published;
  const b0 = publishes;
  const t0 = performance.now();
  await sleep(seconds * 1_000);
  const dt = (performance.now() - t0) / 1_000;
  const frames = stats.accepted - a0;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(
    JSON.stringify({
      bench: 'jt808',
      terminals,
      window,
      seconds: Number(dt.toFixed(2)),
      framesPerSec: Math.round(frames / dt),
      reportsPublishedPerSec: Math.round((published - p0) / dt),
      publishesPerSec: Math.round((publishes - b0) / dt),
      rejected: stats.rejectedObject(),
      gatewayRssMiB: Math.round(rss),
    }),
  );
  child.kill('SIGTERM');
  await childDone;
  await gw.close();
}

async function runClients(port: number, terminals: number, seconds: number, window: number): Promise<void> {
  const ts = Date.now();
  const list: SimulatedTerminal[] = [];
  for (let i = 0; i < terminals; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, terminals - i) }, (_, j) =>
        SimulatedTerminal.connect(port, `1390${String(i + j).padStart(7, '0')}`),
      ),
    );
    list.push(...batch);
  }
  await Promise.all(list.map(async (t) => t.authenticate(await t.register())));
  for (const [n, t] of list.entries()) {
    const pool = Array.from({ length: FRAME_POOL }, (_, k) =>
      t.location({ lat: 30 + n / 1e5, lng: 120 + k / 1e5, speedKmh: 40, heading: 90, ts: ts + k }),
    );
    let next = 0;
    let flags = 0;
    let answered = 0;
    const sendMany = (count: number) => {
      const out: Buffer[] = [];
      for (let c = 0; c < count; c++) out.push(pool[next++ % FRAME_POOL]!);
      t.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    };
    t.socket.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(FLAG); i !== -1; i = chunk.indexOf(FLAG, i + 1)) flags++;
      const done = flags >> 1; // two flags per answer
      if (done > answered) {
        sendMany(done - answered);
        answered = done;
      }
    });
    sendMany(window);
  }
  await sleep(seconds * 1_000);
  for (const t of list) t.close();
  process.exit(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
