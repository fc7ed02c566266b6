import { z } from 'zod';
import { INCIDENT_CATEGORIES, type IncidentCategory, type IncidentState } from '../domain/enums';
import { LatSchema, LngSchema } from '../domain/common';

/**
 * The grid worker's phone page (/m) and its server (server/mobile): one wire contract. Chinese first.
 */

/** A photo as the server names it: the sha256 of the stored (re-encoded) bytes. */
export const PhotoHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'photo id is a sha256');
/** Photos one report or one note may carry. */
export const MAX_PHOTOS_PER_REPORT = 6;
/** The phone's idempotency key for a report: a UUID it made when the report was first saved. */
export const ReportKeySchema = z.string().regex(/^[0-9a-f-]{16,64}$/i, 'key is a UUID');

export const MobileReportSchema = z.object({
  key: ReportKeySchema,
  category: z.enum(INCIDENT_CATEGORIES),
  detail: z.string().trim().max(2000).default(''),
  lng: LngSchema,
  lat: LatSchema,
  address: z.string().trim().max(200).optional(),
  photos: z.array(PhotoHashSchema).max(MAX_PHOTOS_PER_REPORT).default([]),
  /** When the worker pressed 上报 (a report queued offline keeps its own time). */
  reportedAt: z.number().int().positive(),
});
export type MobileReport = z.input<typeof MobileReportSchema>;

export const TASK_ACTIONS = ['accept', 'arrive', 'note', 'resolve'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
export const TASK_ACTION_LABELS: Record<TaskAction, { zh: string; en: string }> = {
  accept: { zh: '接单', en: 'Accept' },
  arrive: { zh: '到场', en: 'Arrived' },
  note: { zh: '补充', en: 'Add note' },
  resolve: { zh: '办结', en: 'Resolve' },
};

export const TaskActionSchema = z.object({
  /**
   * The phone's idempotency key for this tap (a UUID made when it was saved on the phone): a resend after a
   * lost answer, or from the offline queue, is answered as done and never applied twice. Optional only for a
   * page cached before keys existed.
   */
  key: ReportKeySchema.optional(),
  action: z.enum(TASK_ACTIONS),
  note: z.string().trim().max(1000).optional(),
  photos: z.array(PhotoHashSchema).max(MAX_PHOTOS_PER_REPORT).default([]),
});
export type TaskActionInput = z.input<typeof TaskActionSchema>;

export const DutySchema = z.object({
  onDuty: z.boolean(),
  lng: LngSchema.optional(),
  lat: LatSchema.optional(),
});
export const PositionSchema = z.object({ lng: LngSchema, lat: LatSchema, ts: z.number().int().positive() });

/** The phone sends its position no more often than this while on duty; the server refuses faster ones. */
export const POSITION_INTERVAL_MS = 15_000;

export interface MobileMe {
  username: string;
  workerId: string;
  name: string | null;
  gridCode: string | null;
  gridName: string | null;
  /** The grid's centre: where the map opens before the phone has a fix. */
  center: [number, number] | null;
  onDuty: boolean;
}

export interface MobilePhoto {
  hash: string;
  width: number;
  height: number;
}

export interface MobileTask {
  id: string;
  category: IncidentCategory;
  title: string;
  detail: string | null;
  address: string | null;
  state: IncidentState;
  priority: number;
  lng: number;
  lat: number;
  reportedAt: number;
  updatedAt: number;
  /** Whether this worker pressed 接单 on it (a timeline event; the state stays 已派遣). */
  isAccepted: boolean;
  photos: MobilePhoto[];
}

export interface MobileTasks {
  /** Assigned to this worker and open (已派遣, 处置中), then those they resolved today. */
  tasks: MobileTask[];
  /** What this worker reported from the phone, newest first. */
  reports: MobileTask[];
}

export function photoUrl(hash: string, isThumb = false): string {
  return `/api/uploads/${hash}${isThumb ? '?thumb=1' : ''}`;
}

/**
 * Reports and task actions the phone keeps while it cannot send them; a further one is refused with a message,
 * not dropped (photos ride along as Blobs, so the bound is also the phone's storage).
 */
export const MAX_QUEUED_REPORTS = 50;

/** The upload limit (server/uploads/photo.ts refuses past it); the phone shrinks or refuses before sending. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
