import { z } from 'zod';
import { VEHICLE_STATUSES } from './enums';
import { CrsSchema, EntityIdSchema, LatSchema, LngSchema, TimestampSchema } from './common';

/** A patrol unit's position report (DESIGN.md §4). `name`/`kind` describe a vehicle seen for the first time. */
export const VehicleReportSchema = z.object({
  id: EntityIdSchema,
  lng: LngSchema,
  lat: LatSchema,
  crs: CrsSchema.optional(),
  speed: z.number().finite().min(0).max(400).optional(),
  heading: z.number().finite().min(0).max(360).optional(),
  status: z.enum(VEHICLE_STATUSES).optional(),
  ts: TimestampSchema,
  name: z.string().max(64).optional(),
  kind: z.string().max(32).optional(),
});
export type VehicleReport = z.output<typeof VehicleReportSchema>;
export type VehicleReportInput = z.input<typeof VehicleReportSchema>;
