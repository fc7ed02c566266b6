import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { NewTokenSchema, type TokenRow } from '@/lib/admin/schemas';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { sha256Hex } from '../auth/session-cookie';
import { forUpdate, type SqlRunner } from '../db/sql-db';
import { auditAdminIn, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

const DISPLAY_TOKEN_BYTES = 24;
const TOKEN_COLUMNS =
  sql.raw(`id, name, region_code AS "regionCode", created_by AS "createdBy", created_at AS "createdAt",
  revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`);

/** The wall link a token opens: its region's wall, or the whole territory's. */
export function wallLinkFor(token: string, regionCode: string | null): string {
  return `${regionCode ? `/wall/${regionCode}` : '/wall'}?token=${encodeURIComponent(token)}`;
}

/**
 * Wall display tokens (admin only): a token is shown once at creation (only its hash is kept), can be
 * revoked, and shows when a screen last used it (`last_used_at`, written by auth at most once a minute).
 */
export function createTokenRoutes(deps: AdminDeps): Route[] {
  const { sql: db, clock, sqlAudit: audit, authorize } = deps;
  const selectToken = (q: SqlRunner, id: number, lock = false) =>
    q.get<TokenRow>(
      sql`SELECT ${TOKEN_COLUMNS} FROM display_tokens WHERE id = ${id}${lock ? forUpdate(q) : sql``}`,
    );

  const list = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'display_token.list', objectType: 'display_token' });
    const rows = await db.all(sql`SELECT ${TOKEN_COLUMNS} FROM display_tokens ORDER BY id`);
    sendJson(ctx.res, 200, { tokens: rows });
  };

  const create = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'display_token.create', objectType: 'display_token' });
    const parsed = NewTokenSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const { name, regionCode } = parsed.data;
    const token = `pdt_${randomBytes(DISPLAY_TOKEN_BYTES).toString('base64url')}`;
    const row = await db.transaction(async (tx) => {
      const inserted = await tx.get<{ id: number }>(
        sql`INSERT INTO display_tokens (token_hash, name, region_code, created_by, created_at)
            VALUES (${sha256Hex(token)}, ${name}, ${regionCode}, ${p.username}, ${clock.now()}) RETURNING id`,
      );
      const after = (await selectToken(tx, inserted!.id))!;
      await auditAdminIn(audit, tx, ctx, p, {
        action: 'display_token.create',
        objectType: 'display_token',
        objectId: String(after.id),
        after,
      });
      return after;
    });
    // The token is shown once; only its hash is kept.
    sendJson(ctx.res, 201, { ...row, token, url: wallLinkFor(token, regionCode) });
  };

  const revoke = async (ctx: RouteContext) => {
    const id = Number(ctx.params.id);
    const p = authorize(ctx, {
      roles: ADMIN,
      action: 'display_token.revoke',
      objectType: 'display_token',
      objectId: String(ctx.params.id),
    });
    await db.transaction(async (tx) => {
      const before = Number.isSafeInteger(id) ? await selectToken(tx, id, true) : undefined;
      if (!before || before.revokedAt !== null) throw new HttpError(404, '无此令牌或已吊销');
      await tx.run(sql`UPDATE display_tokens SET revoked_at = ${clock.now()} WHERE id = ${id}`);
      await auditAdminIn(audit, tx, ctx, p, {
        action: 'display_token.revoke',
        objectType: 'display_token',
        objectId: String(id),
        before,
        after: await selectToken(tx, id),
      });
    });
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'GET', path: '/api/display-tokens', handler: list },
    { method: 'POST', path: '/api/display-tokens', handler: create },
    { method: 'DELETE', path: '/api/display-tokens/:id', handler: revoke },
  ];
}
