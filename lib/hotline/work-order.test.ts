import { describe, expect, it } from 'vitest';
import { IncidentReportSchema } from '../domain/incident';
import { WorkOrderSchema, workOrderToReport } from './work-order';

const order = {
  orderNo: 'GD20261203000123',
  appealType: '投诉',
  content: '小区门口占道经营，夜间噪音扰民',
  callerName: '李女士',
  callerNumber: '13912345678',
  address: '上城区清泰街 100 号',
  location: { lng: 120.175, lat: 30.247, crs: 'gcj02' },
  acceptedAt: '2026-12-03T09:10:00+08:00',
  urgency: '紧急',
  dueAt: '2026-12-05T09:10:00+08:00',
};

describe('12345 work order', () => {
  it('normalises Chinese values and becomes a valid incident report', () => {
    const o = WorkOrderSchema.parse(order);
    expect(o.appealType).toBe('complaint');
    expect(o.urgency).toBe(2);
    const r = IncidentReportSchema.parse(workOrderToReport(o));
    expect(r).toMatchObject({
      id: 'GD20261203000123',
      source: 'hotline_12345',
      category: 'citizen_request',
      priority: 2,
      crs: 'gcj02',
      phone: '13912345678',
    });
    expect(r.detail).toContain('【投诉】');
    expect(r.detail).toContain('办理时限：2026-12-05 09:10');
    expect(r.title).toBe(order.content);
  });

  it('refuses an unknown appeal type, a missing position and a strange order number', () => {
    expect(WorkOrderSchema.safeParse({ ...order, appealType: '表扬' }).success).toBe(false);
    const { location: _omit, ...noLocation } = order;
    expect(WorkOrderSchema.safeParse(noLocation).success).toBe(false);
    expect(WorkOrderSchema.safeParse({ ...order, orderNo: 'a b' }).success).toBe(false);
    expect(WorkOrderSchema.safeParse({ ...order, urgency: '很急' }).success).toBe(false);
  });
});
