import { describe, expect, it } from 'vitest';
import { payloadText } from './bus';
import { InProcessBus } from './in-process-bus';

describe('InProcessBus', () => {
  it('delivers telemetry asynchronously to the one handler', async () => {
    const bus = new InProcessBus();
    const got: string[] = [];
    await bus.onTelemetry((kind, raw) => got.push(`${kind}:${payloadText(raw)}`));
    void bus.publishTelemetry('vehicle', '{"a":1}');
    expect(got).toEqual([]); // never inside the publisher's call stack
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual(['vehicle:{"a":1}']);
  });

  it('keeps incidents queued until the handler succeeds (like an unacknowledged stream entry)', async () => {
    const bus = new InProcessBus();
    await bus.addIncident('{"id":"1"}');
    let calls = 0;
    const handled: string[] = [];
    await bus.consumeIncidents(async (entries) => {
      calls++;
      if (calls === 1) throw new Error('disk busy');
      handled.push(...entries.map((e) => e.raw!));
    });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(handled).toEqual(['{"id":"1"}']);
    expect(calls).toBe(2);
    await bus.close();
  });
});
