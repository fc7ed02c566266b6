/**
 * Hooks that let integration tests run server/main.ts itself as a child process. Each is honoured only when
 * NODE_ENV is `test` AND its own variable is set: production runs with NODE_ENV=production (`npm start`), so
 * neither can be reached there by accident.
 */
import { sendJson, type Route } from '../http/router';

export interface TestHooks {
  /** API and Socket.IO without Next pages: tests need no `next build` (PINGAN_TEST_API_ONLY=1). */
  isApiOnly: boolean;
  /** `POST /api/test/crash?kind=rejection|exception` (PINGAN_TEST_CRASH_ROUTE=1): exercises the crash policy. */
  routes: Route[];
}

export function testHooks(env: NodeJS.ProcessEnv = process.env): TestHooks {
  const isTest = env.NODE_ENV === 'test';
  return {
    isApiOnly: isTest && env.PINGAN_TEST_API_ONLY === '1',
    routes: isTest && env.PINGAN_TEST_CRASH_ROUTE === '1' ? [crashRoute] : [],
  };
}

const crashRoute: Route = {
  method: 'POST',
  path: '/api/test/crash',
  handler: ({ res, url }) => {
    const kind = url.searchParams.get('kind') === 'exception' ? 'exception' : 'rejection';
    sendJson(res, 202, { ok: true, kind });
    // Outside the request's own try/catch, as a real escaped error would be.
    setImmediate(() => {
      if (kind === 'exception') throw new Error('test crash: uncaught exception');
      void Promise.reject(new Error('test crash: unhandled rejection'));
    });
  },
};
