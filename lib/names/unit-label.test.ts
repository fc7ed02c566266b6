import { describe, expect, it } from 'vitest';
import { departmentLabel, vehicleLabel, workerLabel } from './unit-label';

describe('unit, worker and department names', () => {
  it('names a vehicle by name and plate, falling back to its kind, and to its id only when nothing else is known', () => {
    expect(vehicleLabel({ id: 'veh-00057', name: '城西派出所巡逻车01', plate: '川A·12345' })).toBe(
      '城西派出所巡逻车01 川A·12345',
    );
    expect(vehicleLabel({ id: 'veh-00057', name: '川A·12345 巡逻车', plate: '川A·12345' })).toBe(
      '川A·12345 巡逻车',
    );
    expect(vehicleLabel({ id: 'veh-00057', name: null, plate: '川A·12345', kind: 'patrol_car' })).toBe(
      '巡逻车 川A·12345',
    );
    expect(vehicleLabel({ id: 'veh-00057', plate: '川A·12345', kind: 'patrol_car' }, 'en')).toBe(
      'Patrol car 川A·12345',
    );
    expect(vehicleLabel({ id: 'veh-00057' })).toBe('车辆 veh-00057');
  });

  it('masks a grid worker as the wall masks personal names, and keeps the role', () => {
    expect(workerLabel({ id: 'wkr-1', name: '张三丰', role: 'full_time' })).toBe('张三丰 (专职网格员)');
    expect(workerLabel({ id: 'wkr-1', name: '张三丰', role: 'full_time' }, { isMasked: true })).toBe(
      '张** (专职网格员)',
    );
    expect(
      workerLabel({ id: 'wkr-1', name: '李四', role: 'auxiliary_police' }, { lang: 'en', isMasked: true }),
    ).toBe('李* (Auxiliary police)');
    expect(workerLabel({ id: 'wkr-9', name: null, role: null })).toBe('网格员 wkr-9');
  });

  it('names a department by its name, or its kind and id when the registry has no name', () => {
    expect(departmentLabel({ id: 'dept-510190103-police_station', name: '城西派出所' })).toBe('城西派出所');
    expect(departmentLabel({ id: 'dept-x', name: ' ', kind: 'police_station' })).toBe('派出所 dept-x');
    expect(departmentLabel({ id: 'dept-x', kind: 'fire' }, 'en')).toBe('Fire service dept-x');
  });
});
