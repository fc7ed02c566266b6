import { describe, expect, it } from 'vitest';
import { SocketQuota } from './socket-quota';

describe('SocketQuota', () => {
  it('refuses the newest past the cap, per principal, and gives a place back once', () => {
    const q = new SocketQuota(2);
    const a = q.acquire('display:a')!;
    const b = q.acquire('display:a')!;
    expect(q.acquire('display:a')).toBeNull();
    expect(q.refusals.too_many_sockets).toBe(1);
    expect(q.acquire('user:duty')).not.toBeNull(); // another principal has its own places
    a();
    a(); // disconnect and transport close both release: only once counts
    expect(q.holding('display:a')).toBe(1);
    expect(q.acquire('display:a')).not.toBeNull();
    expect(q.acquire('display:a')).toBeNull();
    b();
  });

  it('forgets a principal with no sockets left (the map is bounded by live sockets)', () => {
    const q = new SocketQuota(1);
    q.acquire('user:x')!();
    expect(q.holding('user:x')).toBe(0);
    expect((q as unknown as { held: Map<string, number> }).held.size).toBe(0);
  });
});
