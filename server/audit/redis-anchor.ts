/**
 * The audit chain's head anchored in Redis: a machine the database's writer does not control, so removing
 * the newest rows from the SQLite file (or restoring an older copy) shows at the next verification.
 *
 * One key holds the newest anchored `{ id, hash, at, mac? }`. It only moves forward (a Lua compare-and-set
 * on the id), so processes sharing the database can all anchor without one moving it back. With AUDIT_KEY
 * the value carries a MAC: someone who can write Redis but has no key cannot plant a head that matches a
 * truncated chain.
 */
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';
import type { AnchorReading, AuditHead } from './audit-anchor';
import { auditMac, isMacEqual, type AuditChainKey } from './audit-key';

export const AUDIT_HEAD_REDIS_KEY = 'pingan:audit:head';
const RECONNECT_MAX_DELAY_MS = 2_000;
const REDIS_REMEDY = `(after restoring a backup or re-creating the database, delete the Redis key ${AUDIT_HEAD_REDIS_KEY})`;
const UNAVAILABLE = 'the Redis anchor could not be read:';

/** Sets the head only if its id is beyond the stored one; a stored value that is not JSON is left as evidence. */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, c = pcall(cjson.decode, cur)
  if not ok or type(c) ~= 'table' or tonumber(c.id) == nil then return -1 end
  if tonumber(c.id) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

const headMac = (chain: AuditChainKey, h: AuditHead) =>
  auditMac(chain.key, 'anchor', `${h.id}:${h.hash}:${h.at}`);

export class RedisAuditAnchor {
  private readonly client: RedisClientType;

  constructor(
    url: string,
    logger: Logger,
    /** The chain key (null: unkeyed chain, heads unsigned). */
    private readonly chain: AuditChainKey | null,
  ) {
    const warn = createThrottledLog(logger);
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, RECONNECT_MAX_DELAY_MS),
        connectTimeout: 2_000,
      },
    }) as RedisClientType;
    this.client.on('error', (err: Error) =>
      warn('audit-anchor-redis-error', { err: err.message }, 'audit anchor Redis error'),
    );
    // In the background, like the bus: a server started while Redis is down still comes up.
    this.client
      .connect()
      .catch((err: Error) =>
        warn('audit-anchor-redis-connect', { err: err.message }, 'audit anchor Redis connect failed'),
      );
  }

  isUnavailable(reading: AnchorReading): boolean {
    return reading.error?.startsWith(UNAVAILABLE) ?? false;
  }

  async read(): Promise<AnchorReading> {
    let text: string | null;
    try {
      if (!this.client.isReady) throw new Error('not connected');
      text = await this.client.get(AUDIT_HEAD_REDIS_KEY);
    } catch (e) {
      return { head: null, error: `${UNAVAILABLE} ${(e as Error).message}`, remedy: '' };
    }
    if (text === null) return { head: null };
    const bad = { head: null, error: 'the Redis anchor is not an anchor (edited?)', remedy: REDIS_REMEDY };
    let h: Partial<AuditHead & { mac: string }>;
    try {
      h = JSON.parse(text) as Partial<AuditHead & { mac: string }>;
    } catch {
      return bad;
    }
    if (!Number.isSafeInteger(h.id) || typeof h.hash !== 'string' || !Number.isFinite(h.at)) return bad;
    const head: AuditHead = { id: h.id!, hash: h.hash, at: h.at! };
    // Heads anchored before the chain was keyed carry no MAC; any later one must.
    if (this.chain && head.id >= this.chain.fromId) {
      if (typeof h.mac !== 'string' || !isMacEqual(h.mac, headMac(this.chain, head)))
        return {
          head,
          error: 'the Redis anchor is not signed with AUDIT_KEY (planted?)',
          remedy: REDIS_REMEDY,
        };
    }
    return { head, remedy: REDIS_REMEDY };
  }

  /** True when stored; false when the stored head is already as new (another process anchored it). */
  async write(head: AuditHead): Promise<boolean> {
    const value = JSON.stringify(this.chain ? { ...head, mac: headMac(this.chain, head) } : head);
    const r = await this.client.eval(SET_IF_NEWER, {
      keys: [AUDIT_HEAD_REDIS_KEY],
      arguments: [String(head.id), value],
    });
    return r === 1;
  }

  async close(): Promise<void> {
    try {
      if (this.client.isOpen) await this.client.close();
    } catch {
      this.client.destroy();
    }
  }
}
