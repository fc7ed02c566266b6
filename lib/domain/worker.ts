import { z } from 'zod';
import { WORKER_STATUSES } from './enums';
import { CrsSchema, EntityIdSchema, LatSchema, LngSchema, TimestampSchema } from './common';

/** A grid worker's position report while on duty. */
export const WorkerReportSchema = z.object({
  id: EntityIdSchema,
  lng: LngSchema,
  lat: LatSchema,
  crs: CrsSchema.optional(),
  status: z.enum(WORKER_STATUSES).optional(),
  ts: TimestampSchema,
});
export type WorkerReport = z.output<typeof WorkerReportSchema>;
export type WorkerReportInput = z.input<typeof WorkerReportSchema>;
