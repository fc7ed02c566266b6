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
let lastTs = new Float64Array(0);
/**
 * One round of the fleet in publishing order, each report's JSON text followed by a comma, with a 13-digit
 * placeholder for its ts: a batch is one copy out of this buffer plus 13 digits written per report, so the
 * generator's own CPU stays small next to the server it measures (they share the machine).
 */
let round = Buffer.alloc(0);
/** Where report c of the round starts (c = 0..fleet; the last entry is the round's length). */
let reportAt = new Uint32Array(0);
/** Vehicle number of report c. */
let unitAt = new Uint32Array(0);
let cursor = 0;

const TS_DIGITS = 13;
/** Bytes after a report's ts digits: `},`. */
const TS_TAIL = 2;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/**
 * Vehicles report in a scattered order (every one once per round): walking the fleet in registration order
 * would make each tick's changes one dense run, which the codec sends without its idx column (11 bytes, not
 * 15) and so would flatter B2. A small stride keeps memory walks nearly sequential.
 */
const SCATTER_STRIDE = 7; // a prime that divides no fleet size the bench uses, so every unit comes round

/** Vehicle k's report (≈ 113 bytes, the text shape gateways send), a comma after it. */
function reportText(k: number, tsText: string): string {
  const [lng, lat] = basePosition(k);
  return (
    `{"id":"${vehicleId(k)}","lng":${lng.toFixed(6)},"lat":${lat.toFixed(6)},` +
    `"speed":${k % 80},"status":"${STATUSES[k & 3]}","heading":${k % 360},"ts":${tsText}},`
  );
}

async function connect(args: { url: string; fleet: number }) {
  client = createClient({ url: args.url });
  client.on('error', () => {});
  await client.connect();
  const fleet = args.fleet;
  lastTs = new Float64Array(fleet);
  unitAt = new Uint32Array(fleet);
  reportAt = new Uint32Array(fleet + 1);
  const placeholder = '0'.repeat(TS_DIGITS);
  const parts: string[] = [];
  for (let c = 0; c < fleet; c++) {
    const k = (c * SCATTER_STRIDE) % fleet;
    unitAt[c] = k;
    parts.push(reportText(k, placeholder));
  }
  let at = 0;
  for (let c = 0; c < fleet; c++) {
    reportAt[c] = at;
    at += parts[c]!.length; // ASCII: characters are bytes
  }
  reportAt[fleet] = at;
  let longest = 0;
  for (let c = 0; c < fleet; c++) longest = Math.max(longest, reportAt[c + 1]! - reportAt[c]!);
  batchCapacity = 2 + GATEWAY_BATCH_MAX * longest;
  freeBuffers.length = 0;
  round = Buffer.from(parts.join(''), 'latin1');
  cursor = 0;
  return { fleet, bytesPerReport: Math.round(at / fleet) };
}

const tsDigits = new Uint8Array(TS_DIGITS);
/**
 * Batch buffers whose PUBLISH has been answered (so the socket is done with them), reused: a fresh 200 KB
 * buffer per batch cost the generator page faults and garbage collections, CPU taken from the server it
 * measures. At most MAX_IN_FLIGHT are out at once.
 */
const freeBuffers: Buffer[] = [];
/** Bytes of the longest batch: GATEWAY_BATCH_MAX of the longest report, and the array's brackets. */
let batchCapacity = 0;

/**
 * The next n reports of the round (wrapping), stamped `ts`, as one JSON array; records each unit's newest ts.
 */
function takeBatch(n: number, ts: number): Buffer {
  const fleet = unitAt.length;
  const text = String(ts);
  for (let j = 0; j < TS_DIGITS; j++) tsDigits[j] = text.charCodeAt(j);
  const first = cursor;
  const wraps = first + n > fleet;
  const len1 = (wraps ? reportAt[fleet]! : reportAt[first + n]!) - reportAt[first]!;
  const len2 = wraps ? reportAt[first + n - fleet]! : 0;
  const out = (freeBuffers.pop() ?? Buffer.allocUnsafe(batchCapacity)).subarray(0, 1 + len1 + len2);
  out[0] = OPEN;
  round.copy(out, 1, reportAt[first]!, reportAt[first]! + len1);
  if (wraps) round.copy(out, 1 + len1, 0, len2);
  let at = 1;
  for (let j = 0; j < n; j++) {
    const c = first + j < fleet ? first + j : first + j - fleet;
    at += reportAt[c + 1]! - reportAt[c]!;
    const d = at - TS_TAIL - TS_DIGITS;
    for (let q = 0; q < TS_DIGITS; q++) out[d + q] = tsDigits[q]!;
    lastTs[unitAt[c]!] = ts;
  }
  // The last report's comma closes the array.
  out[out.length - 1] = CLOSE;
  cursor = (first + n) % fleet;
  return out;
}

/**
 * Publishes the whole fleet once, in unit order (so the server numbers units apart from the scattered order
 * they later report in), paced: first sight of a unit costs the server a registration (an index entry and a
 * SQLite row), several times an update's cost.
 */
async function register() {
  const channel = REDIS_KEYS.channel.vehicle;
  const fleet = unitAt.length;
  for (let k0 = 0; k0 < fleet; k0 += REGISTER_BATCH) {
    const ts = Date.now();
    const tsText = String(ts);
    let text = '';
    for (let k = k0; k < Math.min(fleet, k0 + REGISTER_BATCH); k++) {
      text += reportText(k, tsText);
      lastTs[k] = ts;
    }
    await client.publish(channel, `[${text.slice(0, -1)}]`);
    await new Promise((r) => setTimeout(r, (REGISTER_BATCH / REGISTER_RATE) * 1000));
  }
  cursor = 0;
  return { sent: fleet };
}

interface RunArgs {
  rate: number;
  durationMs: number;
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
  const publish = (msg: Buffer) => {
    inFlight++;
    messages++;
    const done = () => {
      inFlight--;
      if (msg.buffer.byteLength === batchCapacity) freeBuffers.push(Buffer.from(msg.buffer));
    };
    client.publish(channel, msg).then(done, done);
  };
  for (;;) {
    const now = Date.now();
    const t = now - start;
    if (t >= a.durationMs) break;
    let due = Math.floor(owed(t)) - sent;
    maxBehind = Math.max(maxBehind, due);
    while (due > 0 && inFlight < MAX_IN_FLIGHT) {
      if (a.mode === 'naive') {
        publish(takeBatch(1, now).subarray(1, -1)); // the bare report, without the array's brackets
        due--;
        sent++;
        continue;
      }
      const n = Math.min(due, GATEWAY_BATCH_MAX);
      publish(takeBatch(n, now));
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
