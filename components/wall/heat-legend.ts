import type { Lang } from '@/lib/wall/i18n';
import { AREA_HEAT_STEPS, type AreaLevel } from '@/lib/wall/palette';

/** The heat legend's label: the map's areas are grids, communities or towns by its zoom. */
export const HEAT_LEGEND_LABEL: Record<AreaLevel, Record<Lang, string>> = {
  grid: { zh: '网格在办', en: 'Open per grid' },
  community: { zh: '社区在办', en: 'Open per community' },
  town: { zh: '街镇在办', en: 'Open per town' },
};

const OVERDUE: Record<Lang, string> = { zh: '超时', en: 'Overdue' };

/** What each heat swatch means at a level: open counts, then overdue (lib/wall/palette AREA_HEAT_STEPS). */
export function heatSwatchTitles(level: AreaLevel, lang: Lang): string[] {
  const { open, overdue } = AREA_HEAT_STEPS[level];
  const span = (a: number, b: number) => (b - a === 1 ? `${a}` : `${a}–${b - 1}`);
  const late = OVERDUE[lang];
  return [
    span(0, open[0]),
    span(open[0], open[1]),
    span(open[1], open[2]),
    `${open[2]}+`,
    overdue === 1 ? late : `${late} ${overdue}+`,
  ];
}
