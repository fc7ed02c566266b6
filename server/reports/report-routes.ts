/**
 * Briefing report routes. Reads are for the centre's desk roles, clamped to the principal's region like
 * the wall's stats; generating a file is for leaders and administrators and is audited.
 *
 *   GET  /api/reports/briefing?region=&period=day|week|xun|month&date=YYYY-MM-DD[&format=png]
 *   GET  /api/reports                      the generated files the principal may see
 *   GET  /api/reports/files/:name          one of them (the name must be in that listing)
 *   POST /api/reports/generate             { region?, period?, date? } → stores the file now
 */
import { z } from 'zod';
import { REPORT_PERIODS, formatLocalDate, type ReportPeriod } from '@/lib/reports/report-period';
import type { SqlAudit } from '../audit/audit-append';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import { isCodeInScope, type RegionGate } from '../auth/region-scope';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { ReportFontError } from './briefing-render';
import { ReportBusyError, type ReportService } from './report-service';

const GENERATORS = ['admin', 'leader'] as const;

const GenerateSchema = z.object({
  region: z.string().nullable().optional(),
  period: z.enum(REPORT_PERIODS).default('day'),
  date: z.string().optional(),
});

export function createReportRoutes(
  deps: { reports: ReportService; regions: RegionGate },
  mod: { sqlAudit: SqlAudit; auth: { authorize: Authorize } },
): Route[] {
  const { reports, regions } = deps;
  const authorize = mod.auth.authorize;

  const periodOf = (raw: string | null | undefined): ReportPeriod => {
    const p = (raw ?? 'day') as ReportPeriod;
    if (!REPORT_PERIODS.includes(p))
      throw new HttpError(400, `period must be one of ${REPORT_PERIODS.join(', ')}`);
    return p;
  };
  const dateOf = (raw: string | null | undefined) => {
    if (!raw) return reports.today();
    const d = reports.parseDate(raw);
    if (!d) throw new HttpError(400, 'date must be a calendar date YYYY-MM-DD');
    if (formatLocalDate(d) > formatLocalDate(reports.today()))
      throw new HttpError(400, 'date is in the future');
    return d;
  };
  const visible = (c: RouteContext) => {
    const p = authorize(c, { roles: ANY_ROLE, action: 'report.list', objectType: 'report' });
    // A scoped principal sees its region's reports and those of regions inside it; never the territory's.
    return reports.list((f) =>
      f.regionCode !== null ? isCodeInScope(p, f.regionCode) : !regions.isScoped(p),
    );
  };
  const fontFailure = (err: unknown): never => {
    if (err instanceof ReportFontError || err instanceof ReportBusyError)
      throw new HttpError(503, err.message);
    throw err;
  };

  return [
    {
      method: 'GET',
      path: '/api/reports/briefing',
      handler: async (c) => {
        const p = authorize(c, { roles: ANY_ROLE, action: 'report.briefing', objectType: 'report' });
        const q = c.url.searchParams;
        const region = regions.regionParam(c, p, q.get('region'), 'report.briefing');
        const period = periodOf(q.get('period'));
        const date = dateOf(q.get('date'));
        const format = q.get('format') ?? 'pdf';
        if (format !== 'pdf' && format !== 'png') throw new HttpError(400, 'format must be pdf or png');
        const r = await reports.render(region, period, date, format).catch(fontFailure);
        const fileName = `briefing-${region ?? 'all'}-${period}-${formatLocalDate(date)}.${format}`;
        c.res.writeHead(200, {
          'content-type': format === 'pdf' ? 'application/pdf' : 'image/png',
          'content-length': r.body.length,
          'content-disposition': `inline; filename="${fileName}"`,
          'cache-control': 'private, no-store',
        });
        c.res.end(r.body);
      },
    },
    {
      method: 'GET',
      path: '/api/reports',
      handler: async (c) => sendJson(c.res, 200, { reports: await visible(c) }),
    },
    {
      method: 'GET',
      path: '/api/reports/files/:name',
      handler: async (c) => {
        // Only a name the listing holds is ever opened: no path, no other file, whatever the URL says.
        const file = (await visible(c)).find((f) => f.name === c.params.name);
        // Gone between the listing and the read: retention ran.
        const body = file ? await reports.read(file.name) : null;
        if (!file || !body) throw new HttpError(404, 'no such report');
        c.res.writeHead(200, {
          'content-type': 'application/pdf',
          'content-length': body.length,
          'content-disposition': `attachment; filename="${file.name}"`,
          'cache-control': 'private, no-store',
        });
        c.res.end(body);
      },
    },
    {
      method: 'POST',
      path: '/api/reports/generate',
      handler: async (c) => {
        const p = authorize(c, { roles: GENERATORS, action: 'report.generate', objectType: 'report' });
        const parsed = GenerateSchema.safeParse(await readJson(c.req));
        if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'bad request');
        const region = regions.regionParam(c, p, parsed.data.region ?? null, 'report.generate');
        const period = periodOf(parsed.data.period);
        const date = dateOf(parsed.data.date);
        // By hand: today's report is regenerated (the day moved on); a past one too, on request.
        const r = await reports.generate(region, period, date, { force: true }).catch(fontFailure);
        await mod.sqlAudit.appendAlone({
          actor: p.username,
          role: p.role,
          clientAddress: c.clientAddress,
          action: 'report.generate',
          objectType: 'report',
          objectId: r.name,
          result: 'ok',
        });
        sendJson(c.res, 201, { name: r.name });
      },
    },
  ];
}
