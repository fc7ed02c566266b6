import { describe, expect, it } from 'vitest';
import { DepartmentSchema, NewUserSchema, UserChangeSchema, fieldErrors } from './schemas';

describe('admin form schemas', () => {
  it('reads an empty region as the whole territory and refuses a malformed one', () => {
    const base = { username: 'ops', role: 'duty', password: 'long-enough' };
    expect(NewUserSchema.parse({ ...base, regionCode: '' }).regionCode).toBeNull();
    expect(NewUserSchema.parse({ ...base, regionCode: ' 330102000000 ' }).regionCode).toBe('330102000000');
    expect(NewUserSchema.safeParse({ ...base, regionCode: '3301020' }).success).toBe(false);
  });

  it('leaves fields a change does not name absent, so they are not overwritten', () => {
    expect(UserChangeSchema.parse({ role: 'leader' })).toEqual({ role: 'leader' });
    expect(UserChangeSchema.parse({ regionCode: null })).toEqual({ regionCode: null });
  });

  it('gives each field its first message, as the forms show them inline', () => {
    const r = NewUserSchema.safeParse({ username: 'a', password: 'short' });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual({
      username: '用户名为 2–32 位字母、数字或 _.-',
      role: '请选择角色',
      password: '密码至少 10 位',
    });
  });

  it('validates a department: kind, categories and phone', () => {
    const d = { id: 'd-1', name: '清波司法所', kind: 'justice', categories: ['dispute'], phone: '' };
    expect(DepartmentSchema.parse(d)).toMatchObject({ phone: null, regionCode: null });
    expect(DepartmentSchema.safeParse({ ...d, categories: ['war'] }).success).toBe(false);
    expect(DepartmentSchema.safeParse({ ...d, phone: 'call me' }).success).toBe(false);
  });
});

describe('department accounts', () => {
  const base = { username: 'dept-a', password: 'a-long-enough-pass', displayName: '' };
  it('a department account must name its department, and only it keeps one', () => {
    const missing = NewUserSchema.safeParse({ ...base, role: 'department' });
    expect(missing.success).toBe(false);
    const ok = NewUserSchema.parse({ ...base, role: 'department', departmentId: 'd-fire' });
    expect(ok.departmentId).toBe('d-fire');
    expect(NewUserSchema.parse({ ...base, role: 'duty', departmentId: 'd-fire' }).departmentId).toBeNull();
  });
});
