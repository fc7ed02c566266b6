import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('pops by time, equal times in insertion order', () => {
    const q = new EventQueue<{ at: number; name: string }>();
    const items = [5, 1, 3, 1, 9, 3, 0].map((at, i) => ({ at, name: `${at}-${i}` }));
    for (const e of items) q.push(e);
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.name);
    expect(out).toEqual(['0-6', '1-1', '1-3', '3-2', '3-5', '5-0', '9-4']);
    expect(q.size).toBe(0);
  });
});
