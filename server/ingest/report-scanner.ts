import { ENTITY_ID_MAX, LAT_MAX, LNG_MAX, MAX_VALID_TS_MS, MIN_VALID_TS_MS } from '@/lib/domain/common';
import { CRS_VALUES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { HEADING_MAX_DEG, SPEED_MAX_KMH, VEHICLE_KIND_MAX, VEHICLE_NAME_MAX } from '@/lib/domain/vehicle';

/**
 * Reads a pub/sub payload of VehicleReports or WorkerReports straight from its bytes into columns, without
 * JSON.parse building an object per report and without a validator walking it again. At a million reports a
 * second those two are most of the server's CPU (bench/pipeline/ingest-ceiling.ts).
 *
 * It is a fast path, never a second definition of the contract: it accepts only messages in which every report
 * is one the schema accepts, in the plain shapes gateways send (known keys once each, ASCII ids, no escapes,
 * numbers without exponents and with at most 15 significant digits, epoch-ms timestamps). For anything else —
 * one malformed report, an ISO timestamp, an unknown key — it answers false and the caller takes the exact path
 * (JSON.parse and the zod schemas), which also names the rejection reasons. Property tests check that both
 * paths leave the same state (report-scanner.test.ts).
 */

/** Significant digits of a number read here: below 2^53, so `m / 10^f` is one correctly rounded division. */
const MAX_DIGITS = 15;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const enum Ch {
  Tab = 9,
  Nl = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  LBrace = 123,
  RBrace = 125,
}

/** The keys a report may name, each at most once (JSON.parse would keep the last; the exact path decides). */
const KEYS = ['id', 'lng', 'lat', 'ts', 'crs', 'speed', 'heading', 'status', 'name', 'kind'] as const;
const KEY_ID = KEYS.indexOf('id');
const KEY_LNG = KEYS.indexOf('lng');
const KEY_LAT = KEYS.indexOf('lat');
const KEY_TS = KEYS.indexOf('ts');
const KEY_CRS = KEYS.indexOf('crs');
const KEY_SPEED = KEYS.indexOf('speed');
const KEY_HEADING = KEYS.indexOf('heading');
const KEY_STATUS = KEYS.indexOf('status');
const KEY_NAME = KEYS.indexOf('name');
const KEY_KIND = KEYS.indexOf('kind');
/** Sets of keys as bit masks, bit k for KEYS[k]. */
const keys = (...ks: number[]) => ks.reduce((m, k) => m | (1 << k), 0);
const VEHICLE_KEYS = keys(...KEYS.map((_, k) => k));
const WORKER_KEYS = keys(KEY_ID, KEY_LNG, KEY_LAT, KEY_TS, KEY_CRS, KEY_STATUS);
const REQUIRED = keys(KEY_ID, KEY_LNG, KEY_LAT, KEY_TS);

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KEY_BYTES = KEYS.map(ascii);
const CRS_BYTES = CRS_VALUES.map(ascii);
const VEHICLE_STATUS_BYTES = VEHICLE_STATUSES.map(ascii);
const WORKER_STATUS_BYTES = WORKER_STATUSES.map(ascii);

export type ScanKind = 'vehicle' | 'worker';

/**
 * One scanned message, column per field. Absent optional numbers are NaN, absent enums −1; `crs` is an index
 * into CRS_VALUES. Ids are byte ranges (ASCII), so the caller decides when a string is worth making.
 */
export class ScannedReports {
  /** Reports one scan holds (the ingest's per-message bound): a longer message takes the exact path. */
  constructor(readonly maxReports: number) {}

  count = 0;
  idStart = new Uint32Array(0);
  idEnd = new Uint32Array(0);
  lng = new Float64Array(0);
  lat = new Float64Array(0);
  ts = new Float64Array(0);
  speed = new Float64Array(0);
  heading = new Float64Array(0);
  crs = new Int8Array(0);
  status = new Int8Array(0);
  /** Names and kinds are rare (a vehicle's first report): kept sparse, by report number. */
  names = new Map<number, string>();
  kinds = new Map<number, string>();

  reset(): void {
    this.count = 0;
    this.names.clear();
    this.kinds.clear();
  }

  /** Makes room for report n; false past maxReports. */
  reserve(n: number): boolean {
    if (n < this.idStart.length) return true;
    if (n >= this.maxReports) return false;
    this.grow(Math.min(this.maxReports, Math.max(1024, this.idStart.length * 2)));
    return true;
  }

  // Kept out of reserve(), which runs per report: a closure there makes V8 allocate a context on every call,
  // even when nothing grows.
  private grow(cap: number): void {
    const grown = <T extends Uint32Array | Float64Array | Int8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.idStart = grown(this.idStart, new Uint32Array(cap));
    this.idEnd = grown(this.idEnd, new Uint32Array(cap));
    this.lng = grown(this.lng, new Float64Array(cap));
    this.lat = grown(this.lat, new Float64Array(cap));
    this.ts = grown(this.ts, new Float64Array(cap));
    this.speed = grown(this.speed, new Float64Array(cap));
    this.heading = grown(this.heading, new Float64Array(cap));
    this.crs = grown(this.crs, new Int8Array(cap));
    this.status = grown(this.status, new Int8Array(cap));
  }
}

/** A string helper's answer when the text is not a plain string: the scan is abandoned. */
const BAIL = -1;

export class ReportScanner {
  private b: Uint8Array = new Uint8Array(0);
  private p = 0;
  private end = 0;
  /** Fatal: bytes that are not UTF-8 take the exact path, which decodes them the way it always has. */
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** What number() read last. */
  private readonly value = new Float64Array(1);

  /**
   * Scans a JSON report or array of reports of `kind` into `out`. Returns false (and `out` is to be ignored)
   * unless every report is one the schema accepts in a plain shape.
   */
  scan(kind: ScanKind, bytes: Uint8Array, out: ScannedReports): boolean {
    this.b = bytes;
    this.p = 0;
    this.end = bytes.length;
    out.reset();
    const allowed = kind === 'vehicle' ? VEHICLE_KEYS : WORKER_KEYS;
    const statuses = kind === 'vehicle' ? VEHICLE_STATUS_BYTES : WORKER_STATUS_BYTES;
    this.ws();
    if (this.p >= this.end) return false;
    if (this.b[this.p] === Ch.LBracket) {
      this.p++;
      this.ws();
      if (this.b[this.p] === Ch.RBracket) {
        this.p++;
      } else {
        for (;;) {
          if (!out.reserve(out.count) || !this.report(out, allowed, statuses)) return false;
          out.count++;
          this.ws();
          const c = this.b[this.p++];
          if (c === Ch.RBracket) break;
          if (c !== Ch.Comma) return false;
          this.ws();
        }
      }
    } else {
      if (!out.reserve(0) || !this.report(out, allowed, statuses)) return false;
      out.count = 1;
    }
    this.ws();
    return this.p === this.end;
  }

  private ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === Ch.Space || c === Ch.Nl || c === Ch.Cr || c === Ch.Tab) p++;
      else break;
    }
    this.p = p;
  }

  private report(out: ScannedReports, allowed: number, statuses: Uint8Array[]): boolean {
    const b = this.b;
    const n = out.count;
    if (b[this.p++] !== Ch.LBrace) return false;
    let seen = 0;
    out.speed[n] = NaN;
    out.heading[n] = NaN;
    out.crs[n] = -1;
    out.status[n] = -1;
    if (b[this.p]! <= Ch.Space) this.ws();
    if (b[this.p] === Ch.RBrace) return false; // no id: the exact path says so
    for (;;) {
      const key = this.key();
      if (key < 0) return false;
      const bit = 1 << key;
      if ((seen & bit) !== 0 || (allowed & bit) === 0) return false;
      seen |= bit;
      if (b[this.p]! <= Ch.Space) this.ws();
      if (b[this.p++] !== Ch.Colon) return false;
      if (b[this.p]! <= Ch.Space) this.ws();
      switch (key) {
        case KEY_ID: {
          const s = this.asciiString();
          if (s === BAIL || this.p - 1 - s < 1 || this.p - 1 - s > ENTITY_ID_MAX) return false;
          out.idStart[n] = s;
          out.idEnd[n] = this.p - 1;
          break;
        }
        case KEY_LNG:
          if (!this.numberIn(-LNG_MAX, LNG_MAX)) return false;
          out.lng[n] = this.value[0]!;
          break;
        case KEY_LAT:
          if (!this.numberIn(-LAT_MAX, LAT_MAX)) return false;
          out.lat[n] = this.value[0]!;
          break;
        case KEY_TS:
          if (!this.numberIn(MIN_VALID_TS_MS, MAX_VALID_TS_MS)) return false;
          out.ts[n] = Math.round(this.value[0]!);
          break;
        case KEY_SPEED:
          if (!this.numberIn(0, SPEED_MAX_KMH)) return false;
          out.speed[n] = this.value[0]!;
          break;
        case KEY_HEADING:
          if (!this.numberIn(0, HEADING_MAX_DEG)) return false;
          out.heading[n] = this.value[0]!;
          break;
        case KEY_CRS: {
          const e = this.enumValue(CRS_BYTES);
          if (e < 0) return false;
          out.crs[n] = e;
          break;
        }
        case KEY_STATUS: {
          const e = this.enumValue(statuses);
          if (e < 0) return false;
          out.status[n] = e;
          break;
        }
        case KEY_NAME:
        case KEY_KIND: {
          const s = this.text(key === KEY_NAME ? VEHICLE_NAME_MAX : VEHICLE_KIND_MAX);
          if (s === null) return false;
          (key === KEY_NAME ? out.names : out.kinds).set(n, s);
          break;
        }
      }
      if (b[this.p]! <= Ch.Space) this.ws();
      const c = b[this.p++];
      if (c === Ch.RBrace) break;
      if (c !== Ch.Comma) return false;
      if (b[this.p]! <= Ch.Space) this.ws();
    }
    return (seen & REQUIRED) === REQUIRED;
  }

  /** The index in KEYS of the key at the position, or −1. Picked by length and one letter, then confirmed. */
  private key(): number {
    const s = this.asciiString();
    if (s === BAIL) return -1;
    const b = this.b;
    const e = this.p - 1;
    let k: number;
    switch (e - s) {
      case 2:
        k = b[s] === 105 ? KEY_ID : KEY_TS; // i, t
        break;
      case 3:
        k = b[s] === 99 ? KEY_CRS : b[s + 1] === 110 ? KEY_LNG : KEY_LAT; // c, ln, la
        break;
      case 4:
        k = b[s] === 110 ? KEY_NAME : KEY_KIND; // n
        break;
      case 5:
        k = KEY_SPEED;
        break;
      case 6:
        k = KEY_STATUS;
        break;
      case 7:
        k = KEY_HEADING;
        break;
      default:
        return -1;
    }
    const want = KEY_BYTES[k]!;
    for (let j = 0; j < want.length; j++) if (b[s + j] !== want[j]) return -1;
    return k;
  }

  /**
   * Start offset of the string at the position, if it has no escapes, no control characters and no byte above
   * `maxByte`; the position then ends past its closing quote. BAIL otherwise.
   */
  private stringStart(maxByte: number): number {
    const b = this.b;
    if (b[this.p] !== Ch.Quote) return BAIL;
    const s = this.p + 1;
    let e = s;
    for (;;) {
      const c = b[e];
      if (c === Ch.Quote) break;
      if (c === undefined || c < Ch.Space || c > maxByte || c === Ch.Backslash) return BAIL;
      e++;
    }
    this.p = e + 1;
    return s;
  }

  /** A string of printable ASCII (ids, enum values): its start offset, or BAIL. */
  private asciiString(): number {
    return this.stringStart(0x7e);
  }

  /** A string at most `max` UTF-16 units long once decoded (names), or null. */
  private text(max: number): string | null {
    const s = this.stringStart(0xff);
    if (s === BAIL) return null;
    try {
      const v = this.decoder.decode(this.b.subarray(s, this.p - 1));
      return v.length <= max ? v : null;
    } catch {
      return null;
    }
  }

  /** Index of the enum value the string spells, else −1. */
  private enumValue(values: Uint8Array[]): number {
    const s = this.asciiString();
    if (s === BAIL) return -1;
    const len = this.p - 1 - s;
    const b = this.b;
    for (let v = 0; v < values.length; v++) {
      const w = values[v]!;
      if (w.length !== len) continue;
      let j = 0;
      while (j < len && b[s + j] === w[j]) j++;
      if (j === len) return v;
    }
    return -1;
  }

  /** number(), and false unless min ≤ value ≤ max. */
  private numberIn(min: number, max: number): boolean {
    if (!this.number()) return false;
    const v = this.value[0]!;
    return v >= min && v <= max;
  }

  /**
   * Reads a JSON number in the plain form into value[0]; false for anything else. The result goes through a
   * typed array rather than the return value: a double returned from a call that is not inlined is boxed, one
   * heap allocation per field, which at a million reports a second was most of the server's garbage.
   */
  private number(): boolean {
    const b = this.b;
    let p = this.p;
    const isNeg = b[p] === Ch.Minus;
    if (isNeg) p++;
    let m = 0;
    let digits = 0;
    let c = b[p]!;
    if (c === Ch.Zero) {
      p++;
      digits = 1;
      c = b[p]!;
      if (c >= Ch.Zero && c <= Ch.Nine) return false; // a leading zero is not JSON
    } else if (c > Ch.Zero && c <= Ch.Nine) {
      while (c >= Ch.Zero && c <= Ch.Nine) {
        m = m * 10 + (c - Ch.Zero);
        digits++;
        c = b[++p]!;
      }
    } else return false;
    let frac = 0;
    if (c === Ch.Dot) {
      c = b[++p]!;
      if (!(c >= Ch.Zero && c <= Ch.Nine)) return false;
      while (c >= Ch.Zero && c <= Ch.Nine) {
        m = m * 10 + (c - Ch.Zero);
        digits++;
        frac++;
        c = b[++p]!;
      }
    }
    // An exponent, or more digits than a double holds exactly: the exact path reads it.
    if (c === 101 || c === 69 || digits > MAX_DIGITS) return false;
    this.p = p;
    const v = frac === 0 ? m : m / POW10[frac]!;
    this.value[0] = isNeg ? -v : v;
    return true;
  }
}
