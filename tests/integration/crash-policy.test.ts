import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE } from '@/server/process/crash-policy';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Issue 16 item 13: an error that escapes every handler ends the process cleanly and non-zero, so that its
 * supervisor restarts it, instead of running on in a state nobody planned for. The real server/main.ts as a
 * child process; the crash is thrown by a test-only route (server/process/test-hooks.ts).
 */
describe('crash policy: unhandledRejection and uncaughtException', () => {
  let srv: ServerProcess | undefined;
  afterEach(async () => {
    await srv?.stop('SIGKILL');
    srv = undefined;
  });

  it('SIGTERM still stops it cleanly with exit 0 (a stop is not a crash)', async () => {
    srv = await startServerProcess({}, { isApiOnly: true });
    await srv.stop('SIGTERM');
    const { code } = await srv.exited(1_000);
    const output = srv.logs.join('').slice(-3000);
    expect(code, output).toBe(0);
    expect(
      srv.logLines().some((l) => l.msg === 'shut down' && l.reason === 'SIGTERM'),
      output,
    ).toBe(true);
    expect(
      srv.logLines().filter((l) => (l.level as number) >= 50),
      output,
    ).toEqual([]);
  });

  for (const kind of ['rejection', 'exception'] as const) {
    it(`an unhandled ${kind}: a fatal log line with the error, a clean shutdown, exit ${CRASH_EXIT_CODE}`, async () => {
      srv = await startServerProcess({ PINGAN_TEST_CRASH_ROUTE: '1' }, { isApiOnly: true });
      const r = await fetch(`${srv.url}/api/test/crash?kind=${kind}`, { method: 'POST' });
      expect(r.status).toBe(202);

      const { code, signal } = await srv.exited(30_000);
      const output = srv.logs.join('').slice(-3000);
      expect(signal, output).toBeNull();
      expect(code, output).toBe(CRASH_EXIT_CODE);

      const lines = srv.logLines();
      const fatal = lines.find((l) => l.level === 60);
      const expectedKind = kind === 'rejection' ? 'unhandledRejection' : 'uncaughtException';
      expect(fatal, `no fatal log line in:\n${output}`).toMatchObject({
        kind: expectedKind,
        err: {
          message: `test crash: ${kind === 'rejection' ? 'unhandled rejection' : 'uncaught exception'}`,
        },
      });
      expect((fatal!.err as { stack?: string }).stack).toContain('test-hooks');
      // The shutdown ran to its end: the database was closed, which checkpoints and removes its WAL file.
      const done = lines.find((l) => l.msg === 'shut down' && l.reason === expectedKind);
      expect(done, output).toBeDefined();
      const shutdownMs = Date.parse(String(done!.time)) - Date.parse(String(fatal!.time));
      console.info(`${expectedKind}: clean shutdown took ${shutdownMs} ms, exit ${code}`);
      expect(fs.existsSync(`${srv.dbPath}-wal`), 'the WAL file is left: the database was not closed').toBe(
        false,
      );
      // And it no longer accepts connections.
      await expect(fetch(`${srv.url}/api/health`)).rejects.toThrow();
    });
  }
});
