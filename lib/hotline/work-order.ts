import { z } from 'zod';
import { CrsSchema, LatSchema, LngSchema, TimestampSchema } from '../domain/common';
import { INCIDENT_CATEGORIES } from '../domain/enums';
import type { IncidentReportInput } from '../domain/incident';

/**
 * A 12345 work order as the hotline platform pushes it (docs/integration.md, "12345 work orders"). Field
 * names are ours (camelCase); values may be the platform's Chinese words (诉求类型 投诉, 紧急程度 紧急),
 * normalised here so the rest of the product sees codes only.
 */

export const APPEAL_TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion'] as const;
export type AppealType = (typeof APPEAL_TYPES)[number];
export const APPEAL_TYPE_LABELS: Record<AppealType, { zh: string; en: string }> = {
  consult: { zh: '咨询', en: 'Enquiry' },
  help: { zh: '求助', en: 'Help' },
  complaint: { zh: '投诉', en: 'Complaint' },
  report: { zh: '举报', en: 'Report' },
  suggestion: { zh: '建议', en: 'Suggestion' },
};

/** The source every work order is stored under: idempotency is (source, orderNo). */
export const HOTLINE_SOURCE = 'hotline_12345';
/** A title made from the content is cut here (the incident title allows 200; a wall row shows ~30). */
const TITLE_FROM_CONTENT_CHARS = 60;
const CONTENT_MAX_CHARS = 3_800;

const BY_ZH = new Map<string, AppealType>(APPEAL_TYPES.map((t) => [APPEAL_TYPE_LABELS[t].zh, t]));
export const AppealTypeSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const code = (APPEAL_TYPES as readonly string[]).includes(v) ? (v as AppealType) : BY_ZH.get(v);
    if (!code) {
      ctx.addIssue({ code: 'custom', message: '诉求类型 must be 咨询/求助/投诉/举报/建议' });
      return z.NEVER;
    }
    return code;
  });

const URGENCY_ZH: Record<string, 1 | 2 | 3 | 4> = { 特急: 1, 紧急: 2, 一般: 3, 较低: 4, 普通: 3 };
const UrgencySchema = z.union([
  z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const p = URGENCY_ZH[v];
      if (!p) {
        ctx.addIssue({ code: 'custom', message: '紧急程度 must be 特急/紧急/一般/较低 or 1..4' });
        return z.NEVER;
      }
      return p;
    }),
]);

export const WorkOrderSchema = z.object({
  /** 工单编号: the idempotency key. */
  orderNo: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\w.:-]+$/, 'orderNo: letters, digits, . : _ - only'),
  /** 诉求类型 */
  appealType: AppealTypeSchema,
  /** 诉求标题 (optional: made from the content when absent) */
  title: z.string().trim().min(1).max(200).optional(),
  /** 诉求内容 */
  content: z.string().trim().min(1).max(CONTENT_MAX_CHARS),
  /** 来电人 / 来电号码: personal data */
  callerName: z.string().trim().max(64).optional(),
  callerNumber: z
    .string()
    .trim()
    .max(32)
    .regex(/^[\d+\-() ]*$/, 'callerNumber: digits only')
    .optional(),
  /** 地址 */
  address: z.string().trim().max(200).optional(),
  /** 坐标: in the platform's system (crs gcj02 / bd09 are converted to WGS-84 at ingest). */
  location: z.object({ lng: LngSchema, lat: LatSchema, crs: CrsSchema.optional() }),
  /** 受理时间 */
  acceptedAt: TimestampSchema,
  /** 紧急程度 (default 一般) */
  urgency: UrgencySchema.optional(),
  /** 办理时限: when the platform wants it done. */
  dueAt: TimestampSchema.optional(),
  /** 事件类别 in our codes, when the platform's 分拨 already knows it; else 群众诉求. */
  category: z.enum(INCIDENT_CATEGORIES).optional(),
  gridCode: z
    .string()
    .regex(/^\d{15}$/, 'grid code is 15 digits')
    .optional(),
});
export type WorkOrder = z.output<typeof WorkOrderSchema>;
export type WorkOrderInput = z.input<typeof WorkOrderSchema>;

/** Beijing local time for the 办理时限 line in the detail (what the hotline's own staff read). */
function beijing(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** The incident report the work order becomes: the same ingest path as every other source. */
export function workOrderToReport(o: WorkOrder): IncidentReportInput {
  const title = o.title ?? o.content.replace(/\s+/g, ' ').slice(0, TITLE_FROM_CONTENT_CHARS);
  const typeLabel = APPEAL_TYPE_LABELS[o.appealType].zh;
  const due = o.dueAt === undefined ? '' : `\n办理时限：${beijing(o.dueAt)}`;
  return {
    id: o.orderNo,
    category: o.category ?? 'citizen_request',
    title,
    detail: `【${typeLabel}】${o.content}${due}`,
    lng: o.location.lng,
    lat: o.location.lat,
    crs: o.location.crs,
    priority: o.urgency ?? 3,
    source: HOTLINE_SOURCE,
    reportedAt: o.acceptedAt,
    address: o.address,
    reporter: o.callerName,
    phone: o.callerNumber,
    gridCode: o.gridCode,
  };
}
