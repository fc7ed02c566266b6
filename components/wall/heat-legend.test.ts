import { describe, expect, it } from 'vitest';
import { heatSwatchTitles } from './heat-legend';

describe('heat legend', () => {
  it("names each swatch's counts at the level the map draws", () => {
    expect(heatSwatchTitles('grid', 'zh')).toEqual(['0', '1', '2–4', '5+', '超时']);
    expect(heatSwatchTitles('community', 'zh')).toEqual(['0–2', '3–9', '10–24', '25+', '超时 3+']);
    expect(heatSwatchTitles('town', 'en')).toEqual(['0–9', '10–29', '30–99', '100+', 'Overdue 10+']);
  });
});
