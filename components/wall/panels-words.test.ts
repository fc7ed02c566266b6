import { describe, expect, it } from 'vitest';
import { SUPERVISION_LABEL } from './panels';

describe('超时督办 supervision badges', () => {
  it('keep the Chinese marks and read as English in English mode (no Chinese left)', () => {
    expect(SUPERVISION_LABEL.zh).toEqual(['', '督办', '黄牌', '红牌']);
    expect(SUPERVISION_LABEL.en).toEqual(['', 'Supervised', 'Yellow card', 'Red card']);
    for (const l of SUPERVISION_LABEL.en) expect(l).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
