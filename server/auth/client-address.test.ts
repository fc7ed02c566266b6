import { describe, expect, it } from 'vitest';
import { createClientAddressOf, isLoopbackAddress, parseTrustedProxies } from './client-address';

describe('client address', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const of = createClientAddressOf(undefined);
    expect(of('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(of('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
  });

  it('reads X-Forwarded-For from the right, past trusted proxies only', () => {
    const of = createClientAddressOf('10.0.0.0/8, 127.0.0.1, ::1');
    // The client wrote the leftmost entry itself; the proxy appended the address it saw.
    expect(of('127.0.0.1', '1.2.3.4, 203.0.113.9')).toBe('203.0.113.9');
    expect(of('127.0.0.1', '203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(of('::1', ['198.51.100.7'])).toBe('198.51.100.7');
    // Every hop trusted: the leftmost is as far as the chain goes.
    expect(of('127.0.0.1', '10.9.9.9')).toBe('10.9.9.9');
    // A peer outside the list is the client, its header ignored.
    expect(of('192.0.2.1', '198.51.100.7')).toBe('192.0.2.1');
    // Garbage stops the walk at the last address that could be checked.
    expect(of('127.0.0.1', 'evil, 10.0.0.5')).toBe('10.0.0.5');
    expect(of('127.0.0.1', '')).toBe('127.0.0.1');
  });

  it('refuses a TRUSTED_PROXIES entry that is no address or range', () => {
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies('proxy.lan')).toThrow(/TRUSTED_PROXIES/);
    expect(parseTrustedProxies(' ')).toBeNull();
    expect(parseTrustedProxies('fd00::/8')!.check('fd12::1', 'ipv6')).toBe(true);
  });

  it('knows loopback in both families', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.8.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });
});
