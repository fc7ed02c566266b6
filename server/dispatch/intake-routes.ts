import { randomUUID } from 'node:crypto';
import { newIntakeKey } from '@/lib/dispatch/intake-key';
import type { ZodError } from 'zod';
import type { Clock } from '@/lib/clock';
import { IncidentReportSchema } from '@/lib/domain/incident';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { Authorize } from '../auth/guard';
import { HttpError, readJson, sendJson, type Role, type Route } from '../http/router';
import { MAX_INCIDENT_JSON_BYTES, type IncidentIngest } from '../ingest/incident-ingest';

/** Who may log an incident by hand (接警登记): the dispatcher's desk. */
export const INTAKE_ROLES: readonly Role[] = ['dispatcher'];
/** A hand-logged incident's source when the form names none: the centre's own line. */
export const INTAKE_DEFAULT_SOURCE = 'hotline_12345';
/** Ingest statistics count hand-logged incidents under this path. */
export const INTAKE_PATH = 'console:incident';

export interface IntakeFieldError {
  field: string;
  message: string;
}

/** Every problem of a form at once (a dispatcher fixes them in one go), field by field. */
function fieldErrors(error: ZodError): IntakeFieldError[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'body', message: i.message }));
}

/**
 * POST /api/incidents (接警登记): a dispatcher logs a call by hand. The body is an IncidentReport in which
 * `id`, `source` and `reportedAt` may be left out (a desk id, 12345 and now); it then takes the same path as
 * every source's report (IncidentIngest: validated by the same schema, written to SQLite in one transaction,
 * put on the live board, so every wall sees it on the next tick), with the same idempotency: (source, id) is
 * the key, and the form sends the id it generated when opened, so a retried submit logs one incident. The
 * answer carries the incident's API id, which is the form's id unless another source already holds it.
 * Answers 201 `{ ok, id, isDuplicate: false }`, 200 `{ ok, id, isDuplicate: true }` for a repeat, 400 with
 * `details.fields` naming every bad field. Audited as `incident.create`.
 */
export function createIntakeRoutes(deps: {
  ingest: IncidentIngest;
  sql: SqlDb;
  audit: SqlAudit;
  authorize: Authorize;
  clock: Clock;
}): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/incidents',
      handler: async (ctx) => {
        const p = deps.authorize(ctx, {
          roles: INTAKE_ROLES,
          action: 'incident.create',
          objectType: 'incident',
        });
        const body = await readJson(ctx.req, MAX_INCIDENT_JSON_BYTES);
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw new HttpError(400, '登记内容应为一个事件', {
            fields: [{ field: 'body', message: 'expected an object' }],
          });
        const parsed = IncidentReportSchema.safeParse({
          id: newIntakeKey(randomUUID()),
          source: INTAKE_DEFAULT_SOURCE,
          reportedAt: deps.clock.now(),
          ...body,
        });
        if (!parsed.success) throw new HttpError(400, '登记信息有误', { fields: fieldErrors(parsed.error) });
        const report = parsed.data;
        // The incident and its audit row commit together.
        const { id, isDuplicate } = await deps.sql.transaction(async (tx) => {
          const result = await deps.ingest.handleItems([report], INTAKE_PATH, tx);
          if (result.rejected.length > 0)
            throw new HttpError(400, '登记信息有误', {
              fields: result.rejected.map((r) => ({
                field: r.reason.split(':')[0] ?? 'body',
                message: r.reason,
              })),
            });
          // The API id may differ from the form's (another source already holds that number): answer the stored one.
          const outcome = result.incidents[0];
          if (!outcome) throw new Error('intake: a valid report produced no outcome');
          await deps.audit.append(tx, {
            actor: p.username,
            role: p.role,
            clientAddress: ctx.clientAddress,
            action: 'incident.create',
            objectType: 'incident',
            objectId: outcome.id,
            // Reporter and phone stay out of the audit trail's values: it is read more widely than the case.
            after: {
              category: report.category,
              priority: report.priority,
              title: report.title,
              source: report.source,
              address: report.address ?? null,
              lng: report.lng,
              lat: report.lat,
            },
            result: 'ok',
            reason: outcome.isDuplicate ? 'duplicate' : null,
          });
          return outcome;
        });
        sendJson(ctx.res, isDuplicate ? 200 : 201, { ok: true, id, isDuplicate });
      },
    },
  ];
}
