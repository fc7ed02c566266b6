/**
 * The incident detail carries the source's own number (`sourceRef`) beside the API id, so a dispatcher can
 * quote a 12345 work order or a 110 case number even when the id had to be qualified (`police_110-…`)
 * because another source sent the same number first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTER, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

const report = (id: string, source: string) => ({
  id,
  category: 'citizen_request',
  title: `${source} 工单 ${id}`,
  lng: CENTER.lng,
  lat: CENTER.lat,
  priority: 3,
  source,
  reportedAt: Date.now() - 1_000,
});

describe('incident detail: the source number', () => {
  let kit: DispatchKit;
  let dispatcher: string;
  beforeAll(async () => {
    kit = await startDispatchKit();
    dispatcher = await kit.login('dispatcher');
  });
  afterAll(() => kit?.close());

  it('answers sourceRef for an incident under its own number and for one under a qualified id', async () => {
    for (const source of ['hotline_12345', 'police_110']) {
      const r = await kit.api('POST', '/api/incidents', {
        cookie: dispatcher,
        body: report('NO-4471', source),
      });
      expect(r.status).toBe(201);
    }
    const own = await kit.api('GET', '/api/incidents/NO-4471', { cookie: dispatcher });
    expect(own.body.incident).toMatchObject({ id: 'NO-4471', source: 'hotline_12345', sourceRef: 'NO-4471' });
    const qualified = await kit.api('GET', '/api/incidents/police_110-NO-4471', { cookie: dispatcher });
    expect(qualified.status).toBe(200);
    expect(qualified.body.incident).toMatchObject({
      id: 'police_110-NO-4471',
      source: 'police_110',
      sourceRef: 'NO-4471',
    });
  });
});
