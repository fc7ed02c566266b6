/**
 * Load generator (child process): publishes VehicleReport JSON to the real Redis channel at a set rate.
 * `batched` packs reports the way a JT/T 808 gateway does (one PUBLISH of a JSON array per flush);
 * `naive` sends one PUBLISH per report. It remembers each vehicle's newest `ts` so that the subscribers can
 * check the latest state arrived.
 */
import fs from 'node:fs';
import { createClient } from 'redis';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { processSample, serveParent } from '../lib/child';
import { basePosition, vehicleId } from './fleet';

/** A gateway flushes what it collected this often… */
const GATEWAY_FLUSH_MS = 5;
/** …or when this many reports are waiting, whichever comes first. */
const GATEWAY_BATCH_MAX = 2_000;
/** PUBLISHes awaiting Redis's reply; past it the generator waits (and reports that it fell behind). */
const MAX_IN_FLIGHT = 256;
const REGISTER_BATCH = 5_000;
/** Registrations per second the generator offers while the fleet first appears. */
const REGISTER_RATE = 200_000;
const STATUSES = ['patrol', 'idle', 'responding', 'on_scene'];

let client: ReturnType<typeof createClient>;
let prefixes: string[] = [];
let lastTs = new Float64Array(0);
let cursor = 0;
let step = 0;

/** Heading texts: a report's varying part is appended to a prebuilt prefix, so 1 M reports/s fit one core. */
const HEADINGS = Array.from({ length: 360 }, (_, h) => `${h},"ts":`);

function report(k: number, ts: number, tsText: string): string {
  lastTs[k] = ts;
  return `${prefixes[k]}${HEADINGS[(k + step) % 360]}${tsText}}`;
}

/**
 * Vehicles report in a scattered order (every one once per round): walking the fleet in registration order
 * would make each tick's changes one dense run, which the codec sends without its idx column (11 bytes, not
 * 15) and so would flatter B2. A small stride keeps the generator's own memory walk nearly sequential (a
 * large one tripled its CPU at 1 M units, and the generator shares the machine with what it measures).
 */
const SCATTER_STRIDE = 7; // a prime that divides no fleet size the bench uses, so every unit comes round

function nextK(fleet: number): number {
  const k = (cursor * SCATTER_STRIDE) % fleet;
  cursor = cursor + 1 === fleet ? 0 : cursor + 1;
  if (cursor === 0) step++;
  return k;
}

async function connect(args: { url: string; fleet: number }) {
  client = createClient({ url: args.url });
  client.on('error', () => {});
  await client.connect();
  prefixes = new Array<string>(args.fleet);
  lastTs = new Float64Array(args.fleet);
  for (let k = 0; k < args.fleet; k++) {
    const [lng, lat] = basePosition(k);
    // The text shape gateways send (≈ 110 bytes); the heading and ts change per report.
    prefixes[k] =
      `{"id":"${vehicleId(k)}","lng":${lng.toFixed(6)},"lat":${lat.toFixed(6)},` +
      `"speed":${k % 80},"status":"${STATUSES[k & 3]}","heading":`;
  }
  return { fleet: args.fleet };
}

/**
 * Publishes vehicles [from, to) once, paced: first sight of a unit costs the server a registration (an index
 * entry and a SQLite row), several times an update's cost.
 */
async function register(args: { from: number; to: number }) {
  const channel = REDIS_KEYS.channel.vehicle;
  for (let k0 = args.from; k0 < args.to; k0 += REGISTER_BATCH) {
    const parts: string[] = [];
    const ts = Date.now();
    const tsText = String(ts);
    for (let k = k0; k < Math.min(args.to, k0 + REGISTER_BATCH); k++) parts.push(report(k, ts, tsText));
    await client.publish(channel, `[${parts.join(',')}]`);
    await new Promise((r) => setTimeout(r, (REGISTER_BATCH / REGISTER_RATE) * 1000));
  }
  cursor = 0;
  return { sent: args.to - args.from };
}

interface RunArgs {
  rate: number;
  durationMs: number;
  fleet: number;
  mode: 'batched' | 'naive';
  /** Optional burst: from burstAtMs for burstMs the rate is multiplied by burstFactor. */
  burstAtMs?: number;
  burstMs?: number;
  burstFactor?: number;
}

async function run(a: RunArgs) {
  const channel = REDIS_KEYS.channel.vehicle;
  const start = Date.now();
  let sent = 0;
  let messages = 0;
  let inFlight = 0;
  let maxBehind = 0;
  const burstAt = a.burstAtMs ?? Infinity;
  const burstEnd = burstAt + (a.burstMs ?? 0);
  const factor = a.burstFactor ?? 1;
  // Updates owed by time t (ms since start), integrating the rate over the burst window.
  const owed = (t: number) =>
    a.rate * (t / 1000) + Math.max(0, Math.min(t, burstEnd) - burstAt) * (a.rate / 1000) * (factor - 1);
  const publish = (msg: string) => {
    inFlight++;
    messages++;
    client.publish(channel, msg).then(
      () => inFlight--,
      () => inFlight--,
    );
  };
  for (;;) {
    const now = Date.now();
    const t = now - start;
    if (t >= a.durationMs) break;
    const tsText = String(now);
    let due = Math.floor(owed(t)) - sent;
    maxBehind = Math.max(maxBehind, due);
    while (due > 0 && inFlight < MAX_IN_FLIGHT) {
      if (a.mode === 'naive') {
        publish(report(nextK(a.fleet), now, tsText));
        due--;
        sent++;
        continue;
      }
      const n = Math.min(due, GATEWAY_BATCH_MAX);
      const parts = new Array<string>(n);
      for (let j = 0; j < n; j++) parts[j] = report(nextK(a.fleet), now, tsText);
      publish(`[${parts.join(',')}]`);
      due -= n;
      sent += n;
    }
    await new Promise((r) => setTimeout(r, inFlight >= MAX_IN_FLIGHT ? 1 : GATEWAY_FLUSH_MS));
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  const elapsed = Date.now() - start;
  return { sent, messages, elapsedMs: elapsed, achievedRate: (sent / elapsed) * 1000, maxBehind };
}

/** Writes each vehicle's newest published ts (Float64 per vehicle) for the delivered-ratio check. */
function dumpLastTs(args: { file: string }) {
  fs.writeFileSync(args.file, Buffer.from(lastTs.buffer, lastTs.byteOffset, lastTs.byteLength));
  return { vehicles: lastTs.length };
}

serveParent({ connect, register, run, dumpLastTs, sample: () => processSample() });
