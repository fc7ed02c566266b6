import type { z } from 'zod';
import { CameraReportSchema, type CameraReport } from '@/lib/domain/camera';
import { reasonFromZodError } from '@/lib/domain/common';
import { acceptVehicleReport, acceptWorkerReport } from '@/lib/domain/fast-report';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { VehicleReportSchema, type VehicleReport } from '@/lib/domain/vehicle';
import { WorkerReportSchema, type WorkerReport } from '@/lib/domain/worker';
import { toWgs84 } from '@/lib/geo/crs';
import type { TelemetryKind } from '@/lib/realtime/contract';
import type { LiveState } from '../live/live-state';
import type { IngestStats } from './ingest-stats';

/** One pub/sub message or HTTP body: larger is refused whole before parsing. */
export const MAX_TELEMETRY_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Reports in one message; the rest of an oversized array is rejected (and counted) item by item. */
export const MAX_REPORTS_PER_MESSAGE = 100_000;
/** A report stamped further ahead than this is a broken clock, not the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

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
  constructor(
    private readonly live: LiveState,
    private readonly stats: IngestStats,
  ) {}

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
      const reason = k >= MAX_REPORTS_PER_MESSAGE ? 'batch_too_large' : this.applyOne(kind, items[k], now);
      if (reason === null) accepted++;
      else {
        rejected.push({ index: k, reason });
        this.stats.reject(path, reason, items[k]);
      }
    }
    if (accepted > 0) this.stats.accept(path, accepted);
    return { accepted, rejected };
  }

  /** Returns null when applied (or superseded by a newer report), else the rejection reason. */
  private applyOne(kind: TelemetryKind, item: unknown, now: number): string | null {
    type AnyReport = VehicleReport | WorkerReport | CameraReport;
    let fast: AnyReport | null =
      kind === 'vehicle' ? acceptVehicleReport(item) : kind === 'worker' ? acceptWorkerReport(item) : null;
    if (fast === null) {
      const parsed = SCHEMAS[kind].safeParse(item);
      if (!parsed.success) return reasonFromZodError(parsed.error);
      fast = parsed.data;
    }
    const r: AnyReport = fast;
    if (r.ts > now + MAX_FUTURE_SKEW_MS) return 'ts:in_future';
    const store = this.live.store(kind);
    let i = store.indexOf(r.id);
    if (i === undefined) {
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
    if (r.lng !== undefined && r.lat !== undefined) {
      if (r.crs === undefined || r.crs === 'wgs84') {
        store.lng[i] = r.lng;
        store.lat[i] = r.lat;
      } else {
        const [lng, lat] = toWgs84(r.lng, r.lat, r.crs);
        store.lng[i] = lng;
        store.lat[i] = lat;
      }
    }
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
