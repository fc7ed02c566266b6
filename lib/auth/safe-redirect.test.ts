import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-redirect';

const PAGE = 'https://wall.example.gov.cn/login?next=x';

describe('safeNextPath', () => {
  it('keeps same-origin paths', () => {
    expect(safeNextPath('/wall', PAGE)).toBe('/wall');
    expect(safeNextPath('/wall/330102001000?mode=briefing#top', PAGE)).toBe(
      '/wall/330102001000?mode=briefing#top',
    );
    expect(safeNextPath('/dispatch#incident=a-1', PAGE)).toBe('/dispatch#incident=a-1');
    expect(safeNextPath('https://wall.example.gov.cn/admin/users', PAGE)).toBe('/admin/users');
  });

  it('refuses every way out to another origin', () => {
    for (const evil of [
      '//evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      '/\\/evil.com',
      '\\/evil.com',
      'https://evil.com',
      'http://wall.example.gov.cn/wall', // another origin: the scheme differs
      'https:evil.com',
      '//evil.com/%2F..',
      '/%09/evil.com',
      '\t//evil.com',
      ' //evil.com',
      '//wall.example.gov.cn@evil.com',
      'https://wall.example.gov.cn.evil.com/',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
    ]) {
      const out = safeNextPath(evil, PAGE);
      if (out !== null) expect(new URL(out, PAGE).origin, evil).toBe('https://wall.example.gov.cn');
    }
    expect(safeNextPath('/\\evil.com', PAGE)).toBeNull();
    expect(safeNextPath('//evil.com', PAGE)).toBeNull();
    expect(safeNextPath('javascript:alert(1)', PAGE)).toBeNull();
  });

  it('answers null for nothing, the login page itself, and garbage', () => {
    expect(safeNextPath(null, PAGE)).toBeNull();
    expect(safeNextPath('', PAGE)).toBeNull();
    expect(safeNextPath('/login?next=/wall', PAGE)).toBeNull();
    expect(safeNextPath('http://[::1', PAGE)).toBeNull();
  });

  it('whatever it is given, the answer stays on the page’s origin (property)', () => {
    const pieces = fc.constantFrom(
      '/',
      '\\',
      '//',
      '\\\\',
      ':',
      '@',
      '.',
      '%2F',
      '%5C',
      '\t',
      ' ',
      'evil.com',
      'https:',
      'javascript:',
      'wall',
      '?',
      '#',
      '..',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(pieces, { maxLength: 8 }).map((a) => a.join('')),
        ),
        (next) => {
          const out = safeNextPath(next, PAGE);
          if (out === null) return;
          expect(out.startsWith('/')).toBe(true);
          expect(out.startsWith('//')).toBe(false);
          expect(out.startsWith('/\\')).toBe(false);
          expect(new URL(out, PAGE).origin).toBe('https://wall.example.gov.cn');
        },
      ),
      { numRuns: 5000 },
    );
  });
});
