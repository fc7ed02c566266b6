import { z } from 'zod';
import { CRS_VALUES } from './enums';

/** Reports stamped before this are surely a broken clock (2000-01-01T00:00:00Z). */
export const MIN_VALID_TS_MS = 946_684_800_000;
/** ...and after this (2100-01-01T00:00:00Z). Clock skew against "now" is checked at ingest. */
export const MAX_VALID_TS_MS = 4_102_444_800_000;

/** Epoch milliseconds or an ISO-8601 string, normalised to epoch milliseconds. */
export const TimestampSchema = z
  .union([
    z.number().finite(),
    z
      .string()
      .max(40)
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/, 'not ISO-8601'),
  ])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    if (!Number.isFinite(ms) || ms < MIN_VALID_TS_MS || ms > MAX_VALID_TS_MS) {
      ctx.addIssue({ code: 'custom', message: 'timestamp out of range' });
      return z.NEVER;
    }
    return Math.round(ms);
  });

/** Bounds shared by the schemas and the hand-written fast paths (fast-report, the server's report scanner). */
export const LNG_MAX = 180;
export const LAT_MAX = 90;
export const ENTITY_ID_MAX = 64;

export const LngSchema = z.number().finite().min(-LNG_MAX).max(LNG_MAX);
export const LatSchema = z.number().finite().min(-LAT_MAX).max(LAT_MAX);
export const CrsSchema = z.enum(CRS_VALUES);
export const EntityIdSchema = z.string().min(1).max(ENTITY_ID_MAX);

/**
 * A rejection reason for counting: the first issue's path and code, e.g. `lng:too_big`, kept short and
 * low-cardinality so it can be a Prometheus label.
 */
export function reasonFromZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.filter((p) => typeof p === 'string').join('.') || 'payload';
  return `${path}:${issue.code}`.slice(0, 48);
}
