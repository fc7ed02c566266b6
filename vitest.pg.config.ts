import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:pg`: whole-app integration tests run again with the app on PostgreSQL (tests/helpers/test-app.ts,
 * PINGAN_TEST_DB=postgres). The listed files reach the database only through the app's `ctx.sql`, through a
 * connection of their own to the database the app's config names (tamper tests: tests/helpers/database-writer.ts),
 * or through a command-line tool on the same engine (tests/helpers/tool-database.ts); position history stays a
 * SQLite file on both engines and is read directly where a test needs its tables. The others read or write the
 * SQLite system of record themselves, or start their own processes (scale-out, kill9), and run on SQLite in
 * `npm test`. The modules' own tests on both engines are tests/integration/sql-backends-*, and the multi-process
 * ones (ha-*, pg-*) run on both in `npm test`.
 */
// Not mergeConfig: it would append this list to the base one.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/integration/alarm-incidents.test.ts',
      'tests/integration/audit-chain.test.ts',
      'tests/integration/auth-access.test.ts',
      'tests/integration/bootstrap.test.ts',
      'tests/integration/department-loop.test.ts',
      'tests/integration/department-photos.test.ts',
      'tests/integration/device-admin.test.ts',
      'tests/integration/disabled-devices.test.ts',
      'tests/integration/dispatch-assign.test.ts',
      'tests/integration/dispatch-latency.test.ts',
      'tests/integration/dispatch-names.test.ts',
      'tests/integration/field-devices-to-wall.test.ts',
      'tests/integration/history-access.test.ts',
      'tests/integration/history-frame.test.ts',
      'tests/integration/history-playback.test.ts',
      'tests/integration/history-retention.test.ts',
      'tests/integration/history-track.test.ts',
      'tests/integration/hotline-adapter.test.ts',
      'tests/integration/import-registries.test.ts',
      'tests/integration/import-territory.test.ts',
      'tests/integration/incident-intake.test.ts',
      'tests/integration/incident-source-ref.test.ts',
      'tests/integration/live-routes.test.ts',
      'tests/integration/mobile-actions.test.ts',
      'tests/integration/mobile-worker.test.ts',
      'tests/integration/pipeline-redis.test.ts',
      'tests/integration/pubsub-burst.test.ts',
      'tests/integration/realtime-flow.test.ts',
      'tests/integration/report-briefing.test.ts',
      'tests/integration/report-schedule.test.ts',
      'tests/integration/search.test.ts',
      'tests/integration/security-audit-key.test.ts',
      'tests/integration/security-auth-accounts.test.ts',
      'tests/integration/security-auth-audit.test.ts',
      'tests/integration/security-auth-lockout.test.ts',
      'tests/integration/security-auth-session.test.ts',
      'tests/integration/security-idempotency.test.ts',
      'tests/integration/security-rest-masking.test.ts',
      'tests/integration/security-rest-region.test.ts',
      'tests/integration/security-socket-amplification.test.ts',
      'tests/integration/security-socket-masking.test.ts',
      'tests/integration/security-socket-region.test.ts',
      'tests/integration/security-upgrade.test.ts',
      'tests/integration/telemetry-stream.test.ts',
      'tests/integration/time-limits-category.test.ts',
    ],
    env: { PINGAN_TEST_DB: 'postgres' },
  },
});
