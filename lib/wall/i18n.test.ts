import { describe, expect, it } from 'vitest';
import { WALL_PERIODS } from './stats';
import { isLang, periodLabel, t } from './i18n';

describe('i18n', () => {
  it('names every period in both languages, and 旬 in words an English reader knows', () => {
    expect(WALL_PERIODS.map((p) => periodLabel(p, 'zh'))).toEqual(['今日', '近7日', '本旬', '本月']);
    expect(periodLabel('xun', 'en')).toBe('10 days');
    for (const p of WALL_PERIODS) expect(periodLabel(p, 'en')).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('accepts only the two languages it has words for', () => {
    expect(isLang('zh')).toBe(true);
    expect(isLang('en')).toBe(true);
    for (const v of ['', 'EN', 'fr', null, undefined, 1]) expect(isLang(v)).toBe(false);
  });

  it('says the unauthorised banner in English without Chinese', () => {
    expect(t('unauthorizedBanner', 'en')).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
