import { describe, expect, it } from 'vitest';
import { actorLabel } from './actor-label';

describe('actor names', () => {
  const users: Record<string, string | null> = { dispatcher: '王调度', nodisplay: null };
  const displayNameOf = (u: string) => users[u];

  it('names machine actors in words', () => {
    expect(actorLabel('ingest:police_110')).toBe('110警情接入');
    expect(actorLabel('ingest:hotline_12345')).toBe('12345热线接入');
    expect(actorLabel('ingest:police_110', displayNameOf, 'en')).toBe('110 police intake');
    expect(actorLabel('simulator')).toBe('模拟数据源');
    expect(actorLabel('simulator', displayNameOf, 'en')).toBe('Simulator');
    expect(actorLabel('display:大厅主屏')).toBe('显示屏 大厅主屏');
  });

  it('names a user by display name, and by username when the account has none', () => {
    expect(actorLabel('dispatcher', displayNameOf)).toBe('王调度');
    expect(actorLabel('nodisplay', displayNameOf)).toBe('nodisplay');
    expect(actorLabel('unknown-user', displayNameOf)).toBe('unknown-user');
  });

  it('keeps an unknown intake source visible rather than hiding it', () => {
    expect(actorLabel('ingest:radio')).toBe('数据接入 radio');
  });
});
