import { z } from 'zod';
import { CAMERA_STATUSES } from './enums';
import { CrsSchema, LatSchema, LngSchema, TimestampSchema } from './common';

/** GB/T 28181 device id: 8 centre code + 2 industry + 3 type + 1 network + 6 serial. */
export const Gb28181IdSchema = z.string().regex(/^\d{20}$/, 'not a 20-digit GB/T 28181 id');

/** The 3-digit type code inside a GB/T 28181 id (131 camera, 132 IPC, 118 NVR…). */
export function gbDeviceType(id: string): string {
  return id.slice(10, 13);
}

export const CameraReportSchema = z.object({
  id: Gb28181IdSchema,
  status: z.enum(CAMERA_STATUSES),
  ts: TimestampSchema,
  name: z.string().max(64).optional(),
  lng: LngSchema.optional(),
  lat: LatSchema.optional(),
  crs: CrsSchema.optional(),
  streamUrl: z
    .string()
    .max(1024)
    .regex(/^(https?:\/\/|\/)/, 'stream URL must be http(s) or a local path')
    .optional(),
});
export type CameraReport = z.output<typeof CameraReportSchema>;
export type CameraReportInput = z.input<typeof CameraReportSchema>;
