import { z } from 'zod';
import { VEHICLE_STATUSES } from './enums';
import { CrsSchema, EntityIdSchema, LatSchema, LngSchema, TimestampSchema } from './common';

export const SPEED_MAX_KMH = 400;
export const HEADING_MAX_DEG = 360;
export const VEHICLE_NAME_MAX = 64;
export const VEHICLE_KIND_MAX = 32;

/** A patrol unit's position report (DESIGN.md §4). `name`/`kind` describe a vehicle seen for the first time. */
export const VehicleReportSchema = z.object({
  id: EntityIdSchema,
  lng: LngSchema,
  lat: LatSchema,
  crs: CrsSchema.optional(),
  speed: z.number().finite().min(0).max(SPEED_MAX_KMH).optional(),
  heading: z.number().finite().min(0).max(HEADING_MAX_DEG).optional(),
  status: z.enum(VEHICLE_STATUSES).optional(),
  ts: TimestampSchema,
  name: z.string().max(VEHICLE_NAME_MAX).optional(),
  kind: z.string().max(VEHICLE_KIND_MAX).optional(),
});
export type VehicleReport = z.output<typeof VehicleReportSchema>;
export type VehicleReportInput = z.input<typeof VehicleReportSchema>;
