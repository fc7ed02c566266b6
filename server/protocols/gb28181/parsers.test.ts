import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { checkDigest, createNonce, digestAuthorization, NONCE_TTL_MS } from './digest';
import { itemStatus } from './device-registry';
import { decodeBody, parseManscdp } from './manscdp';
import { buildResponse, parseSip } from './sip-message';

const REGISTER = [
  'REGISTER sip:34020000002000000001@3402000000 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.64:5060;rport;branch=z9hG4bK1371463273',
  'From: <sip:34020000001320000001@3402000000>;tag=2043466181',
  'To: <sip:34020000001320000001@3402000000>',
  'Call-ID: 1011047669',
  'CSeq: 1 REGISTER',
  'Contact: <sip:34020000001320000001@192.168.1.64:5060>',
  'Max-Forwards: 70',
  'User-Agent: IP Camera',
  'Expires: 3600',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

const KEEPALIVE_GB2312 = iconv.encode(
  '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>43</SN>\r\n' +
    '<DeviceID>34020000001180000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n',
  'gb18030',
);

describe('SIP', () => {
  it('parses a device REGISTER and answers with received/rport and a To tag', () => {
    const p = parseSip(Buffer.from(REGISTER, 'latin1'));
    if (!p.ok) throw new Error(p.reason);
    expect(p.msg.method).toBe('REGISTER');
    const res = buildResponse(p.msg, 200, {
      source: { address: '10.0.0.9', port: 40000 },
      toTag: 'abc',
    }).toString();
    expect(res).toContain('SIP/2.0 200 OK\r\n');
    expect(res).toContain(
      'Via: SIP/2.0/UDP 192.168.1.64:5060;rport=40000;branch=z9hG4bK1371463273;received=10.0.0.9',
    );
    expect(res).toContain('To: <sip:34020000001320000001@3402000000>;tag=abc');
    expect(res).toContain('CSeq: 1 REGISTER');
  });

  it('rejects what is not SIP with a reason', () => {
    expect(parseSip(Buffer.from('hello'))).toMatchObject({ ok: false, reason: 'bad_request_line' });
    expect(parseSip(Buffer.from(REGISTER.replace('Call-ID: 1011047669\r\n', '')))).toMatchObject({
      ok: false,
      reason: 'missing_call-id',
    });
    expect(parseSip(Buffer.from(REGISTER.replace('Content-Length: 0', 'Content-Length: 99')))).toMatchObject({
      ok: false,
      reason: 'truncated_body',
    });
  });
});

describe('MANSCDP', () => {
  it('decodes a GB2312 keepalive and keeps 20-digit ids as strings', () => {
    const doc = parseManscdp(decodeBody(KEEPALIVE_GB2312, 'Application/MANSCDP+xml'));
    expect(doc).toEqual({
      ok: true,
      doc: {
        root: 'Notify',
        cmdType: 'Keepalive',
        sn: '43',
        deviceId: '34020000001180000001',
        status: 'OK',
        faultIds: [],
        items: [],
      },
    });
  });

  it('reads undeclared GBK names and refuses DOCTYPE and broken XML', () => {
    const xml =
      '<Response><CmdType>Catalog</CmdType><DeviceID>34020000001180000001</DeviceID><DeviceList><Item><DeviceID>34020000001310000001</DeviceID><Name>南门</Name><Status>OFFLINE</Status></Item></DeviceList></Response>';
    const r = parseManscdp(decodeBody(iconv.encode(xml, 'gbk'), undefined));
    expect(r).toMatchObject({
      ok: true,
      doc: { items: [{ deviceId: '34020000001310000001', name: '南门', status: 'OFFLINE' }] },
    });
    expect(parseManscdp('<!DOCTYPE x [<!ENTITY a "aaaa">]><Notify>&a;</Notify>')).toEqual({
      ok: false,
      reason: 'xml_doctype',
    });
    expect(parseManscdp('<Notify><CmdType>Keepalive</Notify>')).toEqual({
      ok: false,
      reason: 'xml_malformed',
    });
  });

  it('maps statuses and events', () => {
    expect(itemStatus({ deviceId: 'x', status: 'ONLINE' })).toBe('online');
    expect(itemStatus({ deviceId: 'x', status: 'OFF' })).toBe('offline');
    expect(itemStatus({ deviceId: 'x', event: 'DEFECT', status: 'ON' })).toBe('fault');
    expect(itemStatus({ deviceId: 'x', event: 'DEL' })).toBe('removed');
  });
});

describe('digest', () => {
  const base = { method: 'REGISTER', realm: '3402000000', password: 'pw', secret: 'k' };
  it('accepts a correct response within the nonce lifetime and refuses others', () => {
    const nonce = createNonce('k', 1_000);
    const authorization = digestAuthorization({
      username: '34020000001320000001',
      realm: '3402000000',
      password: 'pw',
      nonce,
      uri: 'sip:3402000000',
      method: 'REGISTER',
    });
    expect(checkDigest({ ...base, authorization, now: 2_000 })).toBe('ok');
    expect(checkDigest({ ...base, authorization, now: 1_000 + NONCE_TTL_MS + 1 })).toBe('stale');
    expect(checkDigest({ ...base, password: 'other', authorization, now: 2_000 })).toBe('bad');
    expect(
      checkDigest({
        ...base,
        authorization: authorization.replace(nonce, `${nonce.slice(0, -1)}0`),
        now: 2_000,
      }),
    ).toBe('bad');
    expect(checkDigest({ ...base, authorization: undefined, now: 2_000 })).toBe('missing');
  });
});

describe('SIP and MANSCDP under hostile input', () => {
  const sipish = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
    fc
      .tuple(fc.nat(REGISTER.length), fc.string({ maxLength: 40 }))
      .map(([i, s]) => Buffer.from(REGISTER.slice(0, i) + s + REGISTER.slice(i), 'utf8')),
    fc
      .tuple(
        fc.nat(KEEPALIVE_GB2312.length),
        fc.integer({ min: -5, max: 400 }),
        fc.uint8Array({ maxLength: 20 }),
      )
      .map(([i, declared, junk]) =>
        Buffer.concat([
          Buffer.from(REGISTER.replace('Content-Length: 0', `Content-Length: ${declared}`)),
          KEEPALIVE_GB2312.subarray(0, i),
          Buffer.from(junk),
        ]),
      ),
  );

  it('never throws: every message is parsed or rejected with a reason', () => {
    fc.assert(
      fc.property(sipish, (buf) => {
        const p = parseSip(buf);
        if (!p.ok) expect(p.reason).toMatch(/^[a-z_-]+$/);
      }),
      { numRuns: 3_000 },
    );
  });

  it('never throws on XML: parsed or rejected with a reason', () => {
    const xmlish = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(fc.nat(200), fc.string({ maxLength: 20 })).map(([i, s]) => {
        const x = KEEPALIVE_GB2312.toString('latin1');
        return x.slice(0, i) + s + x.slice(i);
      }),
      fc.uint8Array({ maxLength: 300 }).map((a) => decodeBody(Buffer.from(a), undefined)),
    );
    fc.assert(
      fc.property(xmlish, (xml) => {
        const r = parseManscdp(xml);
        if (!r.ok) expect(r.reason).toMatch(/^[a-z_]+$/);
        else expect(typeof r.doc.deviceId).toBe('string');
      }),
      { numRuns: 3_000 },
    );
  });
});
