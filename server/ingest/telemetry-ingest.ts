import type { z } from 'zod';
import { CameraReportSchema, type CameraReport } from '@/lib/domain/camera';
import { reasonFromZodError } from '@/lib/domain/common';
import { acceptVehicleReport, acceptWorkerReport } from '@/lib/domain/fast-report';
import { CAMERA_STATUSES, CRS_VALUES, VEHICLE_STATUSES, WORKER_STATUSES, type Crs } from '@/lib/domain/enums';
import { VehicleReportSchema, type VehicleReport } from '@/lib/domain/vehicle';
import { WorkerReportSchema, type WorkerReport } from '@/lib/domain/worker';
import { toWgs84 } from '@/lib/geo/crs';
import type { TelemetryKind } from '@/lib/realtime/contract';
import type { EntityStore } from '../live/entity-store';
import type { LiveState } from '../live/live-state';
import type { IngestStats } from './ingest-stats';
import { ReportScanner, ScannedReports, type ScanKind } from './report-scanner';

/** One pub/sub message or HTTP body: larger is refused whole before parsing. */
export const MAX_TELEMETRY_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Reports in one message; the rest of an oversized array is rejected (and counted) item by item. */
export const MAX_REPORTS_PER_MESSAGE = 100_000;
/** An incident stamped further ahead than this is a broken clock, not the future (incident-ingest). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * FIELD_MAX_FUTURE_MS / FIELD_FUTURE_POLICY: telemetry stamped further ahead than `maxMs` would outrank every
 * real report (latest wins by report time), so it is clamped to now (counted as adjusted) or refused.
 */
export interface FutureTimestampPolicy {
  maxMs: number;
  policy: 'clamp' | 'reject';
}
export const DEFAULT_FUTURE_POLICY: FutureTimestampPolicy = { maxMs: 30_000, policy: 'clamp' };

export interface TelemetryIngestOptions {
  future?: FutureTimestampPolicy;
  /**
   * FIELD_AUTO_REGISTER: a report for an id the live state does not know registers it as an unassigned unit
   * (demo, and the library default). Off, such a report is refused (`unknown_id`): units come from the
   * registries (imports, provisioning), and a stray or forged id does not become a permanent vehicle.
   */
  autoRegister?: boolean;
}
const WGS84 = CRS_VALUES.indexOf('wgs84');

export interface ItemRejection {
  index: number;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  rejected: ItemRejection[];
}

const SCHEMAS = {
  vehicle: VehicleReportSchema,
  worker: WorkerReportSchema,
  camera: CameraReportSchema,
} satisfies Record<TelemetryKind, z.ZodType>;

/**
 * Validates telemetry and applies it to the live state, latest-wins per entity by report time. Each item
 * stands alone: a bad one is rejected with its reason and never stops the rest of its batch.
 */
export class TelemetryIngest {
  private readonly scanner = new ReportScanner();
  private readonly scanned = new ScannedReports(MAX_REPORTS_PER_MESSAGE);
  /** Per scanned report, its entity index (−1: not known yet). */
  private found = new Int32Array(0);
  /** Messages taken by the byte scanner, and those it handed to the exact path (tests check which ran). */
  readonly scanCounts = { fast: 0, exact: 0 };

  private readonly maxFutureMs: number;
  private readonly isFutureRejected: boolean;
  private readonly isAutoRegistering: boolean;

  constructor(
    private readonly live: LiveState,
    private readonly stats: IngestStats,
    options: TelemetryIngestOptions = {},
  ) {
    const future = options.future ?? DEFAULT_FUTURE_POLICY;
    this.maxFutureMs = future.maxMs;
    this.isFutureRejected = future.policy === 'reject';
    this.isAutoRegistering = options.autoRegister ?? true;
  }

  /**
   * A raw pub/sub payload as bytes. Position reports in the plain shape gateways send are read straight into
   * the live state; anything else is decoded and takes the exact path, with the same result (report-scanner).
   */
  handleBytes(kind: TelemetryKind, bytes: Uint8Array, path = `redis:${kind}`): IngestResult {
    if (
      kind !== 'camera' &&
      bytes.length <= MAX_TELEMETRY_MESSAGE_BYTES &&
      this.scanner.scan(kind, bytes, this.scanned)
    ) {
      this.scanCounts.fast++;
      return this.applyScanned(kind, bytes, path);
    }
    this.scanCounts.exact++;
    return this.handleRaw(
      kind,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'),
      path,
    );
  }

  /** A raw pub/sub payload: one report object or an array of them. */
  handleRaw(kind: TelemetryKind, raw: string, path = `redis:${kind}`): IngestResult {
    if (raw.length > MAX_TELEMETRY_MESSAGE_BYTES) {
      this.stats.reject(path, 'message_too_large', raw.slice(0, 100));
      return { accepted: 0, rejected: [{ index: -1, reason: 'message_too_large' }] };
    }
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      this.stats.reject(path, 'bad_json', raw);
      return { accepted: 0, rejected: [{ index: -1, reason: 'bad_json' }] };
    }
    return this.handleItems(kind, Array.isArray(data) ? data : [data], path);
  }

  handleItems(kind: TelemetryKind, items: unknown[], path: string): IngestResult {
    const rejected: ItemRejection[] = [];
    let accepted = 0;
    const now = this.live.clock.now();
    for (let k = 0; k < items.length; k++) {
      const reason =
        k >= MAX_REPORTS_PER_MESSAGE ? 'batch_too_large' : this.applyOne(kind, items[k], now, path);
      if (reason === null) accepted++;
      else {
        rejected.push({ index: k, reason });
        this.stats.reject(path, reason, items[k]);
      }
    }
    if (accepted > 0) this.stats.accept(path, accepted);
    return { accepted, rejected };
  }

  private applyScanned(kind: ScanKind, bytes: Uint8Array, path: string): IngestResult {
    const r = this.scanned;
    const store = this.live.store(kind);
    const now = this.live.clock.now();
    const tick = this.live.tick;
    const rejected: ItemRejection[] = [];
    let accepted = 0;
    let newest = 0;
    if (this.found.length < r.count) this.found = new Int32Array(r.maxReports);
    const found = this.found;
    store.indexOfManyBytes(bytes, r.idStart, r.idEnd, r.count, found);
    for (let k = 0; k < r.count; k++) {
      const ts = r.ts[k]!;
      const i = found[k]!;
      // First sight (a registration), a disabled device and clocks far ahead are rare: the exact path's code
      // handles (and refuses) them. The disabled flag is a typed-array read: nothing allocated per report.
      if (i < 0 || store.isDisabled[i] === 1 || ts > now + this.maxFutureMs) {
        const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(
          'latin1',
          r.idStart[k]!,
          r.idEnd[k]!,
        );
        const item = this.scannedReport(kind, k, id);
        const reason = this.applyOne(kind, item, now, path);
        if (reason === null) accepted++;
        else {
          rejected.push({ index: k, reason });
          this.stats.reject(path, reason, item);
        }
        continue;
      }
      accepted++;
      // Latest wins by report time: a late, older report must not move a unit backwards.
      if (ts < store.ts[i]!) continue;
      store.ts[i] = ts;
      if (ts > newest) newest = ts;
      const crs = r.crs[k]!;
      // WGS-84 (the default) is copied here rather than through setPosition: a double passed to a call V8
      // does not inline is boxed, two heap allocations per report on the server's hottest path.
      if (crs < 0 || crs === WGS84) {
        store.lng[i] = r.lng[k]!;
        store.lat[i] = r.lat[k]!;
      } else setPosition(store, i, r.lng[k]!, r.lat[k]!, CRS_VALUES[crs]);
      const status = r.status[k]!;
      if (kind === 'vehicle') {
        const heading = r.heading[k]!;
        const speed = r.speed[k]!;
        if (heading === heading) store.heading[i] = heading;
        if (speed === speed) store.speed[i] = speed;
        if (status >= 0) store.status[i] = status;
        const name = r.names.get(k);
        if (name) store.setMeta(i, { name });
      } else {
        store.status[i] = status >= 0 ? status : WORKER_STATUSES.indexOf('on_duty');
      }
      store.touch(i, tick);
    }
    if (newest > 0) this.live.noteReport(newest);
    if (accepted > 0) this.stats.accept(path, accepted);
    return { accepted, rejected };
  }

  /** Report k of the scan as the object the exact path's acceptors produce. */
  private scannedReport(kind: ScanKind, k: number, id: string): VehicleReport | WorkerReport {
    const r = this.scanned;
    const crs = r.crs[k]! >= 0 ? CRS_VALUES[r.crs[k]!] : undefined;
    if (kind === 'worker') {
      const w: WorkerReport = { id, lng: r.lng[k]!, lat: r.lat[k]!, ts: r.ts[k]! };
      if (crs) w.crs = crs;
      if (r.status[k]! >= 0) w.status = WORKER_STATUSES[r.status[k]!];
      return w;
    }
    const out: VehicleReport = { id, lng: r.lng[k]!, lat: r.lat[k]!, ts: r.ts[k]! };
    if (crs) out.crs = crs;
    if (r.speed[k] === r.speed[k]) out.speed = r.speed[k]!;
    if (r.heading[k] === r.heading[k]) out.heading = r.heading[k]!;
    if (r.status[k]! >= 0) out.status = VEHICLE_STATUSES[r.status[k]!];
    const name = r.names.get(k);
    if (name !== undefined) out.name = name;
    const entityKind = r.kinds.get(k);
    if (entityKind !== undefined) out.kind = entityKind;
    return out;
  }

  /** Returns null when applied (or superseded by a newer report), else the rejection reason. */
  private applyOne(kind: TelemetryKind, item: unknown, now: number, path: string): string | null {
    type AnyReport = VehicleReport | WorkerReport | CameraReport;
    let fast: AnyReport | null =
      kind === 'vehicle' ? acceptVehicleReport(item) : kind === 'worker' ? acceptWorkerReport(item) : null;
    if (fast === null) {
      const parsed = SCHEMAS[kind].safeParse(item);
      if (!parsed.success) return reasonFromZodError(parsed.error);
      fast = parsed.data;
    }
    const r: AnyReport = fast;
    const store = this.live.store(kind);
    let i = store.indexOf(r.id);
    // Disabled by an administrator (LiveState.setDisabled): refused on every path, before any correction is
    // counted. A disabled device stays in the store, so it can never reach the auto-registration below.
    if (i !== undefined && store.isDisabled[i] === 1) return 'disabled';
    if (r.ts > now + this.maxFutureMs) {
      if (this.isFutureRejected) return 'ts:in_future';
      this.stats.adjust(path, 'future_clamped', r.id);
      r.ts = now;
    }
    if (i === undefined) {
      // First sight takes this path on both the byte and the exact route, so this costs the hot path nothing.
      if (!this.isAutoRegistering) return 'unknown_id';
      const name = 'name' in r ? (r.name ?? null) : null;
      const entityKind = kind === 'vehicle' && 'kind' in r ? (r.kind ?? null) : null;
      i = store.add({ id: r.id, name, kind: entityKind });
      if (i < 0) return 'capacity';
      const reg: Parameters<LiveState['queueRegistration']>[0] = { kind, id: r.id, name, entityKind };
      if (kind === 'camera' && r.lng !== undefined && r.lat !== undefined) {
        [reg.lng, reg.lat] = toWgs84(r.lng, r.lat, r.crs);
      }
      if ('streamUrl' in r && r.streamUrl) reg.streamUrl = r.streamUrl;
      this.live.queueRegistration(reg);
      this.stats.register(kind);
    }
    // Latest wins by report time: a late, older report must not move a unit backwards.
    if (r.ts < store.ts[i]!) return null;
    store.ts[i] = r.ts;
    // Cameras report every minute: only moving kinds say whether positions arrive on time.
    if (kind !== 'camera') this.live.noteReport(r.ts);
    if (r.lng !== undefined && r.lat !== undefined) setPosition(store, i, r.lng, r.lat, r.crs);
    if (kind === 'vehicle') {
      const v = r as z.output<typeof VehicleReportSchema>;
      if (v.heading !== undefined) store.heading[i] = v.heading;
      if (v.speed !== undefined) store.speed[i] = v.speed;
      if (v.status !== undefined) store.status[i] = VEHICLE_STATUSES.indexOf(v.status);
      if (v.name) store.setMeta(i, { name: v.name });
    } else if (kind === 'worker') {
      const w = r as z.output<typeof WorkerReportSchema>;
      store.status[i] = WORKER_STATUSES.indexOf(w.status ?? 'on_duty');
    } else {
      const c = r as z.output<typeof CameraReportSchema>;
      store.status[i] = CAMERA_STATUSES.indexOf(c.status);
      if (c.streamUrl) this.live.cameraStreamUrl.set(c.id, c.streamUrl);
    }
    store.touch(i, this.live.tick);
    return null;
  }
}

/** Stores a reported position in WGS-84, converting from the report's CRS (absent means WGS-84). */
function setPosition(store: EntityStore, i: number, lng: number, lat: number, crs: Crs | undefined): void {
  if (crs === undefined || crs === 'wgs84') {
    store.lng[i] = lng;
    store.lat[i] = lat;
  } else {
    [store.lng[i], store.lat[i]] = toWgs84(lng, lat, crs);
  }
}
