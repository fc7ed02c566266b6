/**
 * The one password policy, applied wherever a password is set (admin API, own-password change, `npm run
 * user`) and shown by the forms: at least 10 characters, not the username, not the demo password outside
 * demo mode, not one of the passwords every guesser tries first. Length beats composition rules (NIST SP
 * 800-63B): no "one capital, one digit" demands, which only yield `Password1`.
 */
export const MIN_PASSWORD_CHARS = 10;
export const MAX_PASSWORD_CHARS = 256;
export const DEMO_PASSWORD_DEFAULT = 'pingan-demo';

/** Lower-cased; only ones long enough to pass the length rule need listing. */
const WELL_KNOWN = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '123456789a',
  'a123456789',
  'aa123456789',
  'abc1234567',
  'abcd123456',
  'abcd1234567',
  'password123',
  'password1234',
  'password12',
  'p@ssw0rd123',
  'passw0rd123',
  'qwertyuiop',
  'qwerty12345',
  'qwerty123456',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qazwsxedc123',
  'zxcvbnm123',
  'iloveyou123',
  'admin12345',
  'admin123456',
  'administrator',
  'welcome123',
  'changeme123',
  'letmein1234',
  'woaini1314',
  '5201314520',
  'qq123456789',
  'pingan123456',
  'pingan-wall',
  'pinganwall123',
]);

export interface PasswordContext {
  username: string;
  /** Demo mode: the demo password is what demo accounts are meant to have. */
  isDemo: boolean;
  /** DEMO_PASSWORD when set; `pingan-demo` is always refused outside demo mode too. */
  demoPassword?: string | null;
}

const letters = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

function isTrivialRun(p: string): boolean {
  if (/^(.)\1*$/u.test(p)) return true;
  const digits = '01234567890';
  return /^\d+$/.test(p) && (digits.includes(p) || [...digits].reverse().join('').includes(p));
}

/** Why a password is refused (Chinese, as the forms and the API show it), or null when it is acceptable. */
export function passwordProblem(password: string, ctx: PasswordContext): string | null {
  const chars = [...password].length;
  if (chars < MIN_PASSWORD_CHARS) return `密码至少 ${MIN_PASSWORD_CHARS} 位`;
  if (chars > MAX_PASSWORD_CHARS) return `密码至多 ${MAX_PASSWORD_CHARS} 位`;
  const folded = letters(password);
  if (ctx.username && folded === letters(ctx.username)) return '密码不能与用户名相同';
  if (!ctx.isDemo) {
    const demo = [DEMO_PASSWORD_DEFAULT, ctx.demoPassword].filter((d): d is string => Boolean(d));
    if (demo.some((d) => d === password || letters(d) === folded)) return '不能使用演示密码';
  }
  const lower = password.normalize('NFKC').toLowerCase();
  if (WELL_KNOWN.has(lower) || WELL_KNOWN.has(folded) || isTrivialRun(lower)) return '密码过于常见，请换一个';
  return null;
}
