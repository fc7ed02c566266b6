/**
 * Just enough SIP (RFC 3261) for GB/T 28181 devices over UDP: parse a request or response, build replies.
 * Headers are ASCII; the body stays bytes because MANSCDP bodies are often GB2312.
 */

/** A UDP datagram cannot be larger; anything claiming more is refused before parsing. */
export const MAX_SIP_MESSAGE_BYTES = 65_535;
/** Header lines we read; a real REGISTER or MESSAGE has about a dozen. */
export const MAX_SIP_HEADERS = 64;
const MAX_HEADER_SECTION_BYTES = 8 * 1_024;
const CRLF = '\r\n';

/** RFC 3261 §7.3.3 compact header names. */
const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
};

export interface SipMessage {
  isRequest: boolean;
  /** REGISTER, MESSAGE, NOTIFY… (requests). */
  method: string;
  uri: string;
  /** Status code (responses). */
  status: number;
  /** Lower-case header name → values in order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export type SipParseResult = { ok: true; msg: SipMessage } | { ok: false; reason: string };

export function header(msg: SipMessage, name: string): string | undefined {
  return msg.headers.get(name)?.[0];
}

export function parseSip(buf: Buffer): SipParseResult {
  if (buf.length > MAX_SIP_MESSAGE_BYTES) return { ok: false, reason: 'oversize' };
  let end = buf.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (end === -1) {
    end = buf.indexOf('\n\n'); // some embedded stacks end lines with a bare LF
    sepLen = 2;
  }
  if (end === -1) {
    // A message without a body may arrive without the blank line.
    end = buf.length;
    sepLen = 0;
  }
  if (end > MAX_HEADER_SECTION_BYTES) return { ok: false, reason: 'headers_too_long' };
  const lines = buf.toString('latin1', 0, end).split(/\r?\n/);
  const start = lines[0] ?? '';
  const msg: SipMessage = {
    isRequest: true,
    method: '',
    uri: '',
    status: 0,
    headers: new Map(),
    body: Buffer.alloc(0),
  };
  const parts = start.split(' ');
  if (start.startsWith('SIP/2.0 ')) {
    msg.isRequest = false;
    msg.status = Number(parts[1]);
    if (!Number.isInteger(msg.status) || msg.status < 100 || msg.status > 699)
      return { ok: false, reason: 'bad_status_line' };
  } else {
    if (parts.length !== 3 || parts[2] !== 'SIP/2.0' || !/^[A-Z]{3,16}$/.test(parts[0]!)) {
      return { ok: false, reason: 'bad_request_line' };
    }
    msg.method = parts[0]!;
    msg.uri = parts[1]!;
  }
  if (lines.length - 1 > MAX_SIP_HEADERS) return { ok: false, reason: 'too_many_headers' };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, reason: 'bad_header' };
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const value = line.slice(colon + 1).trim();
    const list = msg.headers.get(name);
    if (list) list.push(value);
    else msg.headers.set(name, [value]);
  }
  for (const required of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!msg.headers.has(required)) return { ok: false, reason: `missing_${required}` };
  }
  const bodyStart = Math.min(buf.length, end + sepLen);
  const declared = header(msg, 'content-length');
  let bodyEnd = buf.length;
  if (declared !== undefined) {
    const n = Number(declared);
    if (!Number.isInteger(n) || n < 0) return { ok: false, reason: 'bad_content_length' };
    if (bodyStart + n > buf.length) return { ok: false, reason: 'truncated_body' };
    bodyEnd = bodyStart + n;
  }
  msg.body = buf.subarray(bodyStart, bodyEnd);
  return { ok: true, msg };
}

/** The user part of a SIP URI in a From/To header: `<sip:34020000001320000001@3402000000>;tag=1` → the id. */
export function uriUser(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const at = value.indexOf('sip:');
  if (at === -1) return undefined;
  const rest = value.slice(at + 4);
  const stop = rest.search(/[@;>:]/);
  return stop === -1 ? rest : rest.slice(0, stop);
}

/** A header parameter such as `tag` or `expires`. */
export function headerParam(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  for (const part of value.split(';').slice(1)) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key === name) return eq === -1 ? '' : part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface ResponseOptions {
  /** Where the request came from, written into the top Via (RFC 3581 received/rport) so NATed devices hear us. */
  source: { address: string; port: number };
  toTag: string;
  extraHeaders?: [string, string][];
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

export function buildResponse(req: SipMessage, status: number, opts: ResponseOptions): Buffer {
  const out: string[] = [`SIP/2.0 ${status} ${REASONS[status] ?? 'Unknown'}`];
  const vias = req.headers.get('via') ?? [];
  vias.forEach((via, i) => {
    if (i > 0) return void out.push(`Via: ${via}`);
    let v = via.replace(/;rport(?=;|$)/, `;rport=${opts.source.port}`);
    if (!/;received=/.test(v)) v += `;received=${opts.source.address}`;
    out.push(`Via: ${v}`);
  });
  out.push(`From: ${header(req, 'from')}`);
  const to = header(req, 'to') ?? '';
  out.push(`To: ${headerParam(to, 'tag') === undefined ? `${to};tag=${opts.toTag}` : to}`);
  out.push(`Call-ID: ${header(req, 'call-id')}`, `CSeq: ${header(req, 'cseq')}`);
  for (const [k, v] of opts.extraHeaders ?? []) out.push(`${k}: ${v}`);
  out.push('User-Agent: PinganWall', 'Content-Length: 0');
  return Buffer.from(out.join(CRLF) + CRLF + CRLF, 'latin1');
}

export interface RequestOptions {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  via: string;
  contentType?: string;
  body?: Buffer;
}

export function buildRequest(o: RequestOptions): Buffer {
  const body = o.body ?? Buffer.alloc(0);
  const lines = [
    `${o.method} ${o.uri} SIP/2.0`,
    `Via: ${o.via}`,
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    'Max-Forwards: 70',
    'User-Agent: PinganWall',
  ];
  if (o.contentType) lines.push(`Content-Type: ${o.contentType}`);
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'latin1'), body]);
}
