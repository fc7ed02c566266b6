import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy';

const prod = { username: 'dispatcher', isDemo: false };

describe('password policy', () => {
  it('wants 10 characters, counted as characters (not bytes)', () => {
    expect(passwordProblem('short-pw', prod)).toContain('10');
    expect(passwordProblem('平安大屏值班调度密码好', prod)).toBeNull();
    expect(passwordProblem('Lantern-river-42', prod)).toBeNull();
  });

  it('refuses the username, however it is cased or punctuated', () => {
    expect(passwordProblem('Dispatcher', prod)).toContain('用户名');
    expect(passwordProblem('dispatcher!', prod)).toContain('用户名');
  });

  it('refuses the demo password outside demo mode only', () => {
    expect(passwordProblem('pingan-demo', prod)).toContain('演示');
    expect(passwordProblem('Pingan_Demo', prod)).toContain('演示');
    expect(passwordProblem('our-demo-pass', { ...prod, demoPassword: 'our-demo-pass' })).toContain('演示');
    expect(passwordProblem('pingan-demo', { ...prod, isDemo: true })).toBeNull();
  });

  it('refuses well-known and trivial passwords', () => {
    for (const p of ['1234567890', 'Password123', 'qwertyuiop', '1qaz2wsx3edc', 'aaaaaaaaaaaa', '9876543210'])
      expect(passwordProblem(p, prod), p).toContain('常见');
  });
});
