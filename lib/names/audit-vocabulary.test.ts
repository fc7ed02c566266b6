import { describe, expect, it } from 'vitest';
import {
  auditActionLabel,
  auditDiff,
  auditFieldLabel,
  auditResultLabel,
  auditValueLabel,
} from './audit-vocabulary';

describe('audit vocabulary', () => {
  it('names actions in Chinese and English, composes unknown object.verb codes, and shows the rest as stored', () => {
    expect(auditActionLabel('incident.assign')).toBe('派单');
    expect(auditActionLabel('incident.assign', 'en')).toBe('Assign');
    expect(auditActionLabel('user.create')).toBe('创建用户');
    expect(auditActionLabel('session.login')).toBe('登录');
    expect(auditActionLabel('user.disable')).toBe('停用用户');
    expect(auditActionLabel('device.gb28181.enable', 'en')).toBe('Enable GB/T 28181 device');
    expect(auditActionLabel('weird')).toBe('weird');
    expect(auditActionLabel('user.frobnicate')).toBe('user.frobnicate');
  });

  it('names results 成功 / 拒绝 / 错误', () => {
    expect(['ok', 'denied', 'error'].map((r) => auditResultLabel(r))).toEqual(['成功', '拒绝', '错误']);
    expect(auditResultLabel('denied', 'en')).toBe('Denied');
  });

  it('turns before/after JSON into field rows, marking what changed', () => {
    const rows = auditDiff(
      JSON.stringify({ state: 'accepted', assigneeKind: null, assigneeId: null, supervision: 0 }),
      JSON.stringify({
        state: 'dispatched',
        assigneeKind: 'vehicle',
        assigneeId: 'veh-1',
        supervision: 0,
        note: null,
      }),
    );
    expect(rows.map((r) => [r.field, r.isChanged])).toEqual([
      ['state', true],
      ['assigneeKind', true],
      ['assigneeId', true],
      ['supervision', false],
      ['note', false],
    ]);
    // A field that appears with a value is a change; absent on one side and null on the other is not.
    expect(auditDiff('{}', JSON.stringify({ note: '已受理', x: null })).map((r) => r.isChanged)).toEqual([
      true,
      false,
    ]);
    // One side only (a refused command): nothing "changed", every field shown.
    expect(auditDiff(null, JSON.stringify({ type: 'assign' }))).toEqual([
      { field: 'type', before: undefined, after: 'assign', isChanged: false },
    ]);
    expect(auditDiff('not json', null)).toEqual([
      { field: 'value', before: 'not json', after: undefined, isChanged: false },
    ]);
  });

  it('shows field names and values in words, ids by the names the server sent', () => {
    expect(auditFieldLabel('assigneeId')).toBe('处置单位');
    expect(auditValueLabel('state', 'dispatched')).toBe('已派遣');
    expect(auditValueLabel('state', 'dispatched', {}, 'en')).toBe('Dispatched');
    expect(auditValueLabel('assigneeId', 'veh-1', { 'veh-1': '城西巡逻车01' })).toBe('城西巡逻车01');
    expect(auditValueLabel('assignee', { kind: 'vehicle', id: 'veh-1' }, { 'veh-1': '城西巡逻车01' })).toBe(
      '城西巡逻车01',
    );
    expect(auditValueLabel('supervision', 3)).toBe('红牌');
    expect(auditValueLabel('type', 'assign')).toBe('派单');
    expect(auditValueLabel('role', 'dispatcher')).toBe('调度员');
    expect(auditValueLabel('note', null)).toBe('—');
  });
});
