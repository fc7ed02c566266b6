/**
 * Where the login page may send the browser after signing in: the `next` it was given, only when that
 * resolves to the page's own origin. Prefix checks (`starts with / but not //`) miss `/\evil.com`, which
 * browsers read as `//evil.com`; resolving with the URL parser the browser itself uses, then comparing
 * origins, leaves nothing to miss. The answer is a path (no origin), so it can only ever stay here.
 */
export function safeNextPath(next: string | null | undefined, pageHref: string): string | null {
  if (!next) return null;
  let page: URL;
  let target: URL;
  try {
    page = new URL(pageHref);
    target = new URL(next, page);
  } catch {
    return null;
  }
  if (target.origin !== page.origin || (target.protocol !== 'http:' && target.protocol !== 'https:'))
    return null;
  // Back to the login page would only loop.
  if (target.pathname === '/login') return null;
  // `..\\` (two backslashes) resolves to the path `//`, which, handed back to the browser, is protocol-relative: another host.
  const path = target.pathname.replace(/^\/+/, '/');
  return `${path}${target.search}${target.hash}`;
}
