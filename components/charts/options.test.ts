import { describe, expect, it } from 'vitest';
import { WallStatsSchema } from '@/lib/wall/stats';
import { sampleWallStats } from '@/lib/wall/stats-fixture';
import { cameraRateOption, categoryOption, rankingOption, trendOption, vehicleOption } from './options';

type Series = { data: unknown[]; name?: string }[];
const stats = WallStatsSchema.parse(sampleWallStats());

describe('panel option builders', () => {
  it('categories: Chinese labels, most frequent at the top (last in a horizontal bar)', () => {
    const o = categoryOption(stats);
    expect((o.yAxis as { data: string[] }).data).toEqual(['环境卫生', '城市管理', '矛盾纠纷']);
    expect((o.series as Series)[0]!.data).toEqual([33, 48, 61]);
    expect((categoryOption(stats, 'en').yAxis as { data: string[] }).data[2]).toBe('Dispute');
  });

  it('trend: 24 hourly or 7 daily points, received and resolved', () => {
    const h = trendOption(stats, '24h');
    expect((h.xAxis as { data: string[] }).data).toHaveLength(24);
    expect((h.xAxis as { data: string[] }).data[23]).toBe('12时');
    expect((h.series as Series).map((s) => s.name)).toEqual(['受理', '办结']);
    expect((trendOption(stats, '7d').series as Series)[0]!.data).toHaveLength(7);
  });

  it('camera rate: percentages, worst first, red under 80 %, each bar carries its region code', () => {
    const data = (cameraRateOption(stats).series as Series)[0]!.data as {
      value: number;
      code: string;
      itemStyle: { color: string };
    }[];
    expect(data[0]).toMatchObject({ value: 78, code: '510190002000', itemStyle: { color: '#ff3b3b' } });
    expect(data[1]!.value).toBeCloseTo(98.6, 1);
  });

  it('ranking: open minus overdue plus overdue stack to the open count', () => {
    const s = rankingOption(stats).series as Series;
    const open = s[0]!.data as { value: number; code: string }[];
    const overdue = s[1]!.data as { value: number }[];
    expect(open.map((d, k) => d.value + overdue[k]!.value)).toEqual([15, 20]);
    expect(open[1]!.code).toBe('510190002000');
  });

  it('vehicles: the ring adds up to all units and shows on-duty in the middle', () => {
    const o = vehicleOption(stats);
    const data = (o.series as Series)[0]!.data as { value: number }[];
    expect(data.reduce((n, d) => n + d.value, 0)).toBe(60);
    expect((o.title as { text: string }).text).toBe('52');
  });
});
