import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';

/**
 * MANSCDP (GB/T 28181 annex A) bodies: Keepalive and Catalog. Decoded from GB2312/GBK or UTF-8 and parsed by
 * a real XML parser; values are read defensively since any of them may be missing or the wrong shape.
 */

/** Catalog entries read from one message (a UDP datagram holds far fewer; NVRs split long lists). */
export const MAX_CATALOG_ITEMS = 1_000;
/** Ids listed as faulty in one keepalive. */
const MAX_FAULT_IDS = 1_000;
/** Bytes searched for the XML declaration's encoding. */
const PROLOG_BYTES = 200;

export interface CatalogItem {
  deviceId: string;
  name?: string;
  /** Upper-cased Status: ON / OFF / ONLINE / OFFLINE / … */
  status?: string;
  /** Upper-cased Event in catalog notifications: ON / OFF / VLOST / DEFECT / ADD / DEL / UPDATE. */
  event?: string;
  lng?: number;
  lat?: number;
}

export interface ManscdpDoc {
  /** The root element: Notify, Response, Query, Control. */
  root: string;
  cmdType: string;
  sn?: string;
  deviceId: string;
  /** Upper-cased keepalive Status: OK / ERROR. */
  status?: string;
  /** Keepalive `Info/DeviceID`: channels the device reports as faulty. */
  faultIds: string[];
  items: CatalogItem[];
}

export type ManscdpResult = { ok: true; doc: ManscdpDoc } | { ok: false; reason: string };

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Ids are 20 digits: parsed as numbers they would lose precision. Everything stays a string.
  parseTagValue: false,
  trimValues: true,
  htmlEntities: false,
  isArray: (name) => name === 'Item' || name === 'DeviceID',
});

/** The charset from `Content-Type: …;charset=GB2312` or the XML declaration, normalised. */
function declaredCharset(contentType: string | undefined, body: Buffer): string | undefined {
  const fromHeader = contentType
    ?.split(';')
    .map((p) => p.trim())
    .find((p) => p.toLowerCase().startsWith('charset='))
    ?.slice('charset='.length);
  if (fromHeader) return fromHeader.replace(/"/g, '').toLowerCase();
  const prolog = body.toString('latin1', 0, Math.min(body.length, PROLOG_BYTES));
  const decl = prolog.indexOf('<?xml');
  const declEnd = prolog.indexOf('?>');
  if (decl === -1 || declEnd === -1) return undefined;
  const at = prolog.indexOf('encoding=', decl);
  if (at === -1 || at > declEnd) return undefined;
  const quote = prolog[at + 9];
  if (quote !== '"' && quote !== "'") return undefined;
  const close = prolog.indexOf(quote, at + 10);
  return close === -1 ? undefined : prolog.slice(at + 10, close).toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body to text. GB2312/GBK/GB18030 are read as GB18030 (a superset); undeclared bytes that are
 * not valid UTF-8 are assumed to be GBK, which is what such devices send. */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = declaredCharset(contentType, body);
  if (charset && charset.startsWith('gb')) return iconv.decode(body, 'gb18030');
  try {
    return utf8.decode(body);
  } catch {
    return iconv.decode(body, 'gb18030');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const first = (v: unknown): string | undefined => (Array.isArray(v) ? str(v[0]) : str(v));
const upper = (v: unknown) => first(v)?.toUpperCase();

function coordinate(v: unknown, limit: number): number | undefined {
  const s = first(v);
  if (!s) return undefined;
  const n = Number(s);
  // 0/0 is what devices send when nobody entered a position.
  return Number.isFinite(n) && n !== 0 && Math.abs(n) <= limit ? n : undefined;
}

export function parseManscdp(xml: string): ManscdpResult {
  const upperXml = xml.toUpperCase();
  // Entity definitions are the billion-laughs door; MANSCDP never needs them.
  if (upperXml.includes('<!DOCTYPE') || upperXml.includes('<!ENTITY'))
    return { ok: false, reason: 'xml_doctype' };
  if (XMLValidator.validate(xml) !== true) return { ok: false, reason: 'xml_malformed' };
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch {
    return { ok: false, reason: 'xml_malformed' };
  }
  if (!tree || typeof tree !== 'object') return { ok: false, reason: 'xml_empty' };
  const root = Object.keys(tree).find((k) => ['Notify', 'Response', 'Query', 'Control'].includes(k));
  if (!root) return { ok: false, reason: 'xml_unknown_root' };
  const node = (tree as Record<string, unknown>)[root];
  if (!node || typeof node !== 'object') return { ok: false, reason: 'xml_empty' };
  const n = node as Record<string, unknown>;
  const cmdType = first(n.CmdType);
  const deviceId = first(n.DeviceID);
  if (!cmdType) return { ok: false, reason: 'no_cmd_type' };
  if (!deviceId) return { ok: false, reason: 'no_device_id' };

  const info = n.Info && typeof n.Info === 'object' ? (n.Info as Record<string, unknown>) : undefined;
  const faultIds = Array.isArray(info?.DeviceID)
    ? info.DeviceID.slice(0, MAX_FAULT_IDS).flatMap((v) => str(v) ?? [])
    : [];

  const list =
    n.DeviceList && typeof n.DeviceList === 'object'
      ? (n.DeviceList as Record<string, unknown>).Item
      : undefined;
  const items: CatalogItem[] = [];
  if (Array.isArray(list)) {
    for (const raw of list.slice(0, MAX_CATALOG_ITEMS)) {
      if (!raw || typeof raw !== 'object') continue;
      const it = raw as Record<string, unknown>;
      const id = first(it.DeviceID);
      if (!id) continue;
      const item: CatalogItem = { deviceId: id };
      const name = first(it.Name);
      if (name) item.name = name;
      const status = upper(it.Status);
      if (status) item.status = status;
      const event = upper(it.Event);
      if (event) item.event = event;
      const lng = coordinate(it.Longitude, 180);
      const lat = coordinate(it.Latitude, 90);
      if (lng !== undefined && lat !== undefined) Object.assign(item, { lng, lat });
      items.push(item);
    }
  }
  const doc: ManscdpDoc = { root, cmdType, deviceId, faultIds, items };
  const sn = first(n.SN);
  if (sn) doc.sn = sn;
  const status = upper(n.Status);
  if (status) doc.status = status;
  return { ok: true, doc };
}

/** A Catalog query for a device (sent after it registers, so an NVR lists its channels). */
export function catalogQuery(deviceId: string, sn: number): Buffer {
  const xml = `<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n<CmdType>Catalog</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${deviceId}</DeviceID>\r\n</Query>\r\n`;
  return iconv.encode(xml, 'gb18030');
}
