/**
 * Issue 16 item 2, REST side: phone and ID numbers written into an incident's free text (title, detail,
 * address, timeline notes) leave the server masked for every principal not entitled to personal data (a duty
 * officer, a display token), on every read that carries them; a dispatcher reads them raw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskName } from '@/lib/wall/format';
import { ID_NUMBER, PHONE, startSecurityKit, TOWN_A, type SecurityKit } from './security-rest-kit';

let kit: SecurityKit;
let dispatcher: string;
const masked: { name: string; as: { cookie?: string; token?: string } }[] = [];

const NOTE = `已联系报警人 ${PHONE}，核对身份证 ${ID_NUMBER}`;

beforeAll(async () => {
  kit = await startSecurityKit();
  dispatcher = await kit.login('dispatcher');
  const leader = await kit.login('leader');
  // A timeline note with both numbers, and a 督办 flag so the incident is on the wall's overdue list.
  const accepted = await kit.api('/api/incidents/INC-A/transition', {
    method: 'POST',
    cookie: dispatcher,
    body: { to: 'accepted', note: NOTE },
  });
  expect(accepted.status).toBe(200);
  // The command's answer goes to an entitled role: raw.
  expect(accepted.body.incident.title).toContain(PHONE);
  const flagged = await kit.api('/api/incidents/INC-A/supervise', {
    method: 'POST',
    cookie: leader,
    body: { level: 1, note: `督办：回电 ${PHONE}` },
  });
  expect(flagged.status).toBe(200);
  masked.push({ name: 'duty user', as: { cookie: await kit.login('duty') } });
  masked.push({ name: 'display token', as: { token: await kit.displayToken('大厅主屏', null) } });
  masked.push({ name: 'town display token', as: { token: await kit.displayToken('北山大屏', TOWN_A) } });
});

afterAll(async () => {
  await kit?.close();
});

/** Every string anywhere in a response body. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

const MASKED_PHONE = `${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`;
const MASKED_ID = `${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`;

function expectNoNumbers(body: unknown, what: string) {
  const leaked = strings(body).filter((s) => s.includes(PHONE) || s.includes(ID_NUMBER));
  expect(leaked, what).toEqual([]);
}

describe('free text with phone and ID numbers (REST)', () => {
  it('is masked in the incident, its detail, address and timeline notes for duty and display tokens', async () => {
    for (const { name, as } of masked) {
      const r = await kit.api('/api/incidents/INC-A', as);
      expect(r.status, name).toBe(200);
      const inc = r.body.incident;
      expect(inc.title, name).toContain(MASKED_PHONE);
      expect(inc.title, name).toContain(MASKED_ID);
      expect(inc.detail, name).toContain(MASKED_PHONE);
      expect(inc.address, name).toContain(MASKED_ID);
      expect(inc.reporter, name).toBeNull();
      expect(inc.phone, name).toBeNull();
      const notes = r.body.timeline.map((e: { note: string | null }) => e.note).filter(Boolean);
      expect(notes.join(' | '), name).toContain(MASKED_PHONE);
      expectNoNumbers(r.body, `${name}: GET /api/incidents/INC-A`);
    }
  });

  it('is masked in the queue, the 督办 list, search and the wall’s overdue list', async () => {
    for (const { name, as } of masked) {
      for (const path of [
        '/api/incidents',
        '/api/supervision',
        `/api/search?q=INC-A`,
        '/api/wall/stats',
        `/api/wall/stats?region=${TOWN_A}&period=month`,
      ]) {
        const r = await kit.api(path, as);
        expect(r.status, `${name}: ${path}`).toBe(200);
        expect(
          strings(r.body).some((s) => s.includes(MASKED_PHONE)),
          `${name}: ${path} carries it`,
        ).toBe(true);
        expectNoNumbers(r.body, `${name}: ${path}`);
      }
    }
  });

  it('leaves grid workers’ names masked in recommendations', async () => {
    for (const { name, as } of masked) {
      const r = await kit.api('/api/incidents/INC-A/recommendations', as);
      expect(r.status, name).toBe(200);
      const w = r.body.workers.find((u: { id: string }) => u.id === 'w-a');
      expect(w?.name, name).toBe(maskName('单位 w-a'));
    }
    const raw = await kit.api('/api/incidents/INC-A/recommendations', { cookie: dispatcher });
    expect(raw.body.workers.find((u: { id: string }) => u.id === 'w-a')?.name).toBe('单位 w-a');
  });

  it('reaches a dispatcher raw', async () => {
    const r = await kit.api('/api/incidents/INC-A', { cookie: dispatcher });
    expect(r.body.incident.title).toContain(PHONE);
    expect(r.body.incident.detail).toContain(ID_NUMBER);
    expect(r.body.incident.address).toContain(ID_NUMBER);
    expect(r.body.incident.phone).toBe(PHONE);
    expect(r.body.timeline.map((e: { note: string | null }) => e.note)).toContain(NOTE);
    for (const path of ['/api/incidents', '/api/supervision', '/api/search?q=INC-A', '/api/wall/stats']) {
      const body = (await kit.api(path, { cookie: dispatcher })).body;
      expect(
        strings(body).some((s) => s.includes(PHONE)),
        path,
      ).toBe(true);
    }
  });
});
