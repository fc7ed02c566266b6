import type { WallStats } from './stats';

/** A plausible district's stats: for option-builder tests and the wall's "no server yet" preview. */
export function sampleWallStats(now = Date.UTC(2026, 10, 23, 4, 0, 0)): WallStats {
  const hour = 3_600_000;
  return {
    at: now,
    period: 'today',
    periodStart: now - 12 * hour,
    region: { code: null, name: '演示区', level: 'district', path: [] },
    children: [
      { code: '510190001000', name: '甲街道', level: 'town' },
      { code: '510190002000', name: '乙街道', level: 'town' },
    ],
    kpi: {
      received: 236,
      resolved: 201,
      resolvedOnTime: 190,
      open: 35,
      overdue: 4,
      supervised: 2,
      resolveRate: 201 / 236,
      onTimeRate: 190 / 201,
      critical: 1,
      warning: 6,
      closedLoopRate: 180 / 230,
      proactiveRate: 0.46,
      satisfactionRate: 0.94,
      rated: 150,
      disputeResolveRate: 0.955,
      workerOnlineRate: 410 / 620,
      safetyIndex: 86.4,
    },
    compare: { received: { mom: 220, yoy: null }, resolved: { mom: 190, yoy: null } },
    byCategory: [
      { category: 'dispute', count: 61 },
      { category: 'city_management', count: 48 },
      { category: 'environment', count: 33 },
    ],
    trend24h: Array.from({ length: 24 }, (_, k) => ({
      start: now - (23 - k) * hour,
      received: 5 + (k % 7),
      resolved: 4 + (k % 5),
    })),
    trend7d: Array.from({ length: 7 }, (_, k) => ({
      start: now - (6 - k) * 24 * hour,
      received: 200 + k * 9,
      resolved: 190 + k * 8,
    })),
    cameras: {
      total: 1200,
      online: 1130,
      offline: 40,
      fault: 20,
      stale: 10,
      byRegion: [
        { code: '510190002000', name: '乙街道', total: 500, online: 390 },
        { code: '510190001000', name: '甲街道', total: 700, online: 690 },
      ],
    },
    vehicles: { total: 60, onDuty: 52, responding: 5, onScene: 4, patrol: 37, idle: 6, offline: 8 },
    workers: { total: 620, onDuty: 410 },
    ranking: [
      { code: '510190002000', name: '乙街道', open: 20, overdue: 3, resolveRate: 0.8 },
      { code: '510190001000', name: '甲街道', open: 15, overdue: 1, resolveRate: 0.9 },
    ],
    overdueList: [
      {
        id: 'i1',
        title: '楼道堆放杂物',
        category: 'fire_safety',
        priority: 2,
        lamp: 'red',
        supervision: 3,
        receivedAt: now - 5 * hour,
        regionName: '乙街道',
      },
    ],
    overdueListTotal: 1,
  };
}
