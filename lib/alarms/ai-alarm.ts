import { z } from 'zod';
import { CrsSchema, LatSchema, LngSchema, TimestampSchema } from '../domain/common';

/**
 * An alarm from an AI video-analysis platform (人群聚集, 占道经营, 烟火…) for `POST /api/ingest/alarms`
 * (docs/integration.md). The snapshot is base64 (a data: URL is accepted too); its bytes are checked on the
 * server (size, magic bytes), not here.
 */
export const AI_ALARM_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,23}$/;

export const AiAlarmSchema = z.object({
  /** The platform's own alarm id, echoed in the answer. */
  id: z.string().min(1).max(64).optional(),
  /** The camera the analysis ran on (20-digit GB/T 28181 id, known to us). */
  cameraId: z.string().regex(/^\d{20}$/, 'cameraId is the 20-digit GB/T 28181 id'),
  /** crowd_gathering, street_vending, smoke_fire, … (rules map it to a category and priority). */
  type: z.string().regex(AI_ALARM_TYPE_PATTERN, 'type: lower-case letters, digits and _ (≤ 24)'),
  time: TimestampSchema,
  /** Where it happened, if the platform knows better than the camera's own position. */
  lng: LngSchema.optional(),
  lat: LatSchema.optional(),
  crs: CrsSchema.optional(),
  description: z.string().max(500).optional(),
  /** 0..1 */
  confidence: z.number().min(0).max(1).optional(),
  /** JPEG or PNG, base64 (≤ MAX_SNAPSHOT_BYTES decoded). */
  snapshot: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
});
export type AiAlarm = z.output<typeof AiAlarmSchema>;
