import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:pg`: whole-app integration tests run again with the app on PostgreSQL (tests/helpers/test-app.ts,
 * PINGAN_TEST_DB=postgres). The listed files reach the database only through the app's `ctx.sql`, or through a
 * command-line tool on the same engine (tests/helpers/tool-database.ts); position history stays a SQLite file on
 * both engines, read directly where a test needs its tables. The others read or write the SQLite system of
 * record themselves and run on SQLite in `npm test`. The modules' own tests on both engines
 * are tests/integration/sql-backends-*, and the multi-process ones (ha-*, pg-*) run on both in `npm test`.
 */
// Not mergeConfig: it would append this list to the base one.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/integration/department-photos.test.ts',
      'tests/integration/field-devices-to-wall.test.ts',
      'tests/integration/history-frame.test.ts',
      'tests/integration/history-retention.test.ts',
      'tests/integration/history-track.test.ts',
      'tests/integration/import-registries.test.ts',
      'tests/integration/import-territory.test.ts',
      'tests/integration/mobile-actions.test.ts',
      'tests/integration/mobile-worker.test.ts',
      'tests/integration/pubsub-burst.test.ts',
      'tests/integration/report-schedule.test.ts',
      'tests/integration/scale-out.test.ts',
      'tests/integration/security-rest-masking.test.ts',
      'tests/integration/security-rest-region.test.ts',
      'tests/integration/security-upgrade.test.ts',
      'tests/integration/telemetry-stream.test.ts',
    ],
    env: { PINGAN_TEST_DB: 'postgres' },
  },
});
