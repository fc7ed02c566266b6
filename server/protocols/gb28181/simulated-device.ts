import dgram from 'node:dgram';
import iconv from 'iconv-lite';
import { digestAuthorization, parseDigest } from './digest';
import { buildRequest, header, parseSip, type SipMessage } from './sip-message';

const ANSWER_TIMEOUT_MS = 3_000;

export interface SimulatedChannel {
  id: string;
  name?: string;
  status?: string;
  event?: string;
  lng?: number;
  lat?: number;
}

/**
 * A GB/T 28181 device over UDP for tests and demos: registers (with digest when challenged), sends
 * keepalives and catalogs (GB2312 bodies, as most devices do), and answers catalog queries.
 */
export class SimulatedDevice {
  /** Catalog queries received from the platform. */
  queries: SipMessage[] = [];
  /** What the device answers to a catalog query; empty: it does not answer. */
  channels: SimulatedChannel[] = [];
  private cseq = 1;
  private pending = new Map<string, (m: SipMessage) => void>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly id: string,
    private readonly target: { port: number; host: string },
    private readonly realm: string,
  ) {
    socket.on('message', (buf) => {
      const p = parseSip(buf);
      if (!p.ok) return;
      if (!p.msg.isRequest) {
        const waiter = this.pending.get(header(p.msg, 'call-id') ?? '');
        waiter?.(p.msg);
        return;
      }
      this.queries.push(p.msg);
      if (this.channels.length > 0) void this.sendCatalog(this.channels, 'Response');
    });
  }

  static async create(
    id: string,
    port: number,
    host = '127.0.0.1',
    realm = '3402000000',
  ): Promise<SimulatedDevice> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new SimulatedDevice(socket, id, { port, host }, realm);
  }

  /** Registers; answers a digest challenge when given a password. Resolves with the final status code. */
  async register(opts: { password?: string; expires?: number } = {}): Promise<SipMessage> {
    const callId = `reg-${this.id}-${this.cseq}`;
    const uri = `sip:${this.realm}`;
    let res = await this.request('REGISTER', uri, callId, undefined, [
      ['Expires', String(opts.expires ?? 3600)],
    ]);
    if (res.status === 401 && opts.password !== undefined) {
      const nonce = parseDigest(header(res, 'www-authenticate'))?.get('nonce') ?? '';
      const auth = digestAuthorization({
        username: this.id,
        realm: this.realm,
        password: opts.password,
        nonce,
        uri,
        method: 'REGISTER',
      });
      res = await this.request('REGISTER', uri, callId, undefined, [
        ['Expires', String(opts.expires ?? 3600)],
        ['Authorization', auth],
      ]);
    }
    return res;
  }

  keepalive(sn: number, status = 'OK', faultIds: string[] = []): Promise<SipMessage> {
    const info = faultIds.length
      ? `<Info>\r\n${faultIds.map((id) => `<DeviceID>${id}</DeviceID>`).join('\r\n')}\r\n</Info>\r\n`
      : '';
    const xml = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${this.id}</DeviceID>\r\n<Status>${status}</Status>\r\n${info}</Notify>\r\n`;
    return this.message(iconv.encode(xml, 'gb18030'));
  }

  sendCatalog(channels: SimulatedChannel[], root: 'Response' | 'Notify' = 'Response'): Promise<SipMessage> {
    const items = channels
      .map(
        (c) =>
          `<Item>\r\n<DeviceID>${c.id}</DeviceID>\r\n<Name>${c.name ?? ''}</Name>\r\n` +
          (c.status ? `<Status>${c.status}</Status>\r\n` : '') +
          (c.event ? `<Event>${c.event}</Event>\r\n` : '') +
          `<Longitude>${c.lng ?? 0}</Longitude>\r\n<Latitude>${c.lat ?? 0}</Latitude>\r\n</Item>`,
      )
      .join('\r\n');
    const xml = `<?xml version="1.0" encoding="GB2312"?>\r\n<${root}>\r\n<CmdType>Catalog</CmdType>\r\n<SN>1</SN>\r\n<DeviceID>${this.id}</DeviceID>\r\n<SumNum>${channels.length}</SumNum>\r\n<DeviceList Num="${channels.length}">\r\n${items}\r\n</DeviceList>\r\n</${root}>\r\n`;
    return this.message(iconv.encode(xml, 'gb18030'));
  }

  message(body: Buffer): Promise<SipMessage> {
    return this.request(
      'MESSAGE',
      `sip:34020000002000000001@${this.realm}`,
      `msg-${this.id}-${this.cseq}`,
      body,
    );
  }

  /** host:port this device sends from (what the listener binds its registration to). */
  get address(): string {
    const a = this.socket.address();
    return `${a.address}:${a.port}`;
  }

  /** Sends raw bytes (fuzzing). */
  sendRaw(buf: Buffer): void {
    this.socket.send(buf, this.target.port, this.target.host);
  }

  close(): void {
    this.socket.close();
  }

  private request(
    method: string,
    uri: string,
    callId: string,
    body?: Buffer,
    extra: [string, string][] = [],
  ): Promise<SipMessage> {
    const port = this.socket.address().port;
    const head = buildRequest({
      method,
      uri,
      via: `SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${callId}${this.cseq}`,
      from: `<sip:${this.id}@${this.realm}>;tag=${this.cseq}`,
      to: `<sip:${method === 'REGISTER' ? this.id : '34020000002000000001'}@${this.realm}>`,
      callId,
      cseq: this.cseq++,
      contentType: body ? 'Application/MANSCDP+xml' : undefined,
      body,
    });
    const withExtra = extra.length
      ? Buffer.from(
          head
            .toString('latin1')
            .replace(
              '\r\nMax-Forwards',
              `\r\n${extra.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nMax-Forwards`,
            ),
          'latin1',
        )
      : head;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(callId);
        reject(new Error(`no answer to ${method}`));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(callId, (m) => {
        clearTimeout(timer);
        this.pending.delete(callId);
        resolve(m);
      });
      this.socket.send(withExtra, this.target.port, this.target.host);
    });
  }
}
