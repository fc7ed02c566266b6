import { randomBytes } from 'node:crypto';
import { NewTokenSchema, type TokenRow } from '@/lib/admin/schemas';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { sha256Hex } from '../auth/session-cookie';
import { auditAdmin, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

const DISPLAY_TOKEN_BYTES = 24;
const TOKEN_COLUMNS = `id, name, region_code AS regionCode, created_by AS createdBy, created_at AS createdAt,
  revoked_at AS revokedAt, last_used_at AS lastUsedAt`;

/** The wall link a token opens: its region's wall, or the whole territory's. */
export function wallLinkFor(token: string, regionCode: string | null): string {
  return `${regionCode ? `/wall/${regionCode}` : '/wall'}?token=${encodeURIComponent(token)}`;
}

/**
 * Wall display tokens (admin only): a token is shown once at creation (only its hash is kept), can be
 * revoked, and shows when a screen last used it (`last_used_at`, written by auth at most once a minute).
 */
export function createTokenRoutes(deps: AdminDeps): Route[] {
  const { sqlite, clock, audit, authorize } = deps;
  const selectToken = sqlite.prepare<[number], TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM display_tokens WHERE id = ?`,
  );

  const list = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'display_token.list', objectType: 'display_token' });
    const rows = sqlite.prepare(`SELECT ${TOKEN_COLUMNS} FROM display_tokens ORDER BY id`).all();
    sendJson(ctx.res, 200, { tokens: rows });
  };

  const create = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'display_token.create', objectType: 'display_token' });
    const parsed = NewTokenSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const { name, regionCode } = parsed.data;
    const token = `pdt_${randomBytes(DISPLAY_TOKEN_BYTES).toString('base64url')}`;
    const row = sqlite
      .transaction(() => {
        const r = sqlite
          .prepare(
            'INSERT INTO display_tokens (token_hash, name, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(sha256Hex(token), name, regionCode, p.username, clock.now());
        const after = selectToken.get(Number(r.lastInsertRowid))!;
        auditAdmin(audit, ctx, p, {
          action: 'display_token.create',
          objectType: 'display_token',
          objectId: String(after.id),
          after,
        });
        return after;
      })
      .immediate();
    // The token is shown once; only its hash is kept.
    sendJson(ctx.res, 201, { ...row, token, url: wallLinkFor(token, regionCode) });
  };

  const revoke = (ctx: RouteContext) => {
    const id = Number(ctx.params.id);
    const p = authorize(ctx, {
      roles: ADMIN,
      action: 'display_token.revoke',
      objectType: 'display_token',
      objectId: String(ctx.params.id),
    });
    sqlite
      .transaction(() => {
        const before = Number.isInteger(id) ? selectToken.get(id) : undefined;
        if (!before || before.revokedAt !== null) throw new HttpError(404, '无此令牌或已吊销');
        sqlite.prepare('UPDATE display_tokens SET revoked_at = ? WHERE id = ?').run(clock.now(), id);
        auditAdmin(audit, ctx, p, {
          action: 'display_token.revoke',
          objectType: 'display_token',
          objectId: String(id),
          before,
          after: selectToken.get(id),
        });
      })
      .immediate();
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'GET', path: '/api/display-tokens', handler: list },
    { method: 'POST', path: '/api/display-tokens', handler: create },
    { method: 'DELETE', path: '/api/display-tokens/:id', handler: revoke },
  ];
}
