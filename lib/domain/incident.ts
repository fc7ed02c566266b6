import { z } from 'zod';
import { INCIDENT_CATEGORIES, INCIDENT_SOURCES, INCIDENT_STATES } from './enums';
import { CrsSchema, EntityIdSchema, LatSchema, LngSchema, TimestampSchema } from './common';

/** An incident as a source reports it (DESIGN.md §4). `id` is the source's id: the idempotency key. */
export const IncidentReportSchema = z.object({
  id: EntityIdSchema,
  category: z.enum(INCIDENT_CATEGORIES),
  title: z.string().trim().min(1).max(200),
  detail: z.string().max(4000).optional(),
  lng: LngSchema,
  lat: LatSchema,
  crs: CrsSchema.optional(),
  priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  source: z.enum(INCIDENT_SOURCES),
  reportedAt: TimestampSchema,
  address: z.string().max(200).optional(),
  reporter: z.string().max(64).optional(),
  phone: z.string().max(32).optional(),
  gridCode: z
    .string()
    .regex(/^\d{15}$/, 'grid code is 15 digits')
    .optional(),
});
export type IncidentReport = z.output<typeof IncidentReportSchema>;
export type IncidentReportInput = z.input<typeof IncidentReportSchema>;

export const AssigneeKindSchema = z.enum(['vehicle', 'worker', 'department']);
export type AssigneeKind = z.infer<typeof AssigneeKindSchema>;

/**
 * What a wall or console is sent about a live incident. Personal data (reporter, phone) never travels here:
 * walls are seen by a room; the console fetches it by API with a role that may read it.
 */
export const IncidentViewSchema = z.object({
  id: z.string(),
  category: z.enum(INCIDENT_CATEGORIES),
  title: z.string(),
  priority: z.number().int().min(1).max(4),
  source: z.enum(INCIDENT_SOURCES),
  state: z.enum(INCIDENT_STATES),
  lng: z.number(),
  lat: z.number(),
  address: z.string().nullable(),
  gridCode: z.string().nullable(),
  reportedAt: z.number(),
  receivedAt: z.number(),
  updatedAt: z.number(),
  assigneeKind: AssigneeKindSchema.nullable(),
  assigneeId: z.string().nullable(),
  /** 0 none, 1 普通, 2 黄牌, 3 红牌 */
  supervision: z.number().int().min(0).max(3),
});
export type IncidentView = z.infer<typeof IncidentViewSchema>;
