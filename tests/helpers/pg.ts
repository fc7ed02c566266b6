/**
 * A PostgreSQL database of its own for one test file, on the server this machine runs (127.0.0.1:5432,
 * TEST_DATABASE_URL overrides): created at the start and dropped at the end. When no PostgreSQL answers
 * the PG tests skip with a clear message (CI installs and starts one: .ci/run).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROBE_TIMEOUT_MS = 3_000;

/** Why PostgreSQL cannot be used, or null when it answers. */
export async function pgUnavailable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (e) {
    return `no PostgreSQL answers at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message}); set TEST_DATABASE_URL or start postgresql`;
  } finally {
    await c.end().catch(() => {});
  }
}

export interface TestPgDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * CREATE DATABASE pingan_test_<random>; drop() ends its connections and drops it. `collation: 'zh-CN'` sorts
 * text as a Chinese deployment's database would (ICU), where ':' does not follow the digits: SQL that relies
 * on byte order fails there as it would in the field, not only on a C-collated test cluster.
 */
export async function createTestPgDatabase(opts: { collation?: 'zh-CN' } = {}): Promise<TestPgDatabase> {
  const name = `pingan_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    // UTF8 whatever the cluster's default: the product stores Chinese text.
    const locale = opts.collation
      ? ` LOCALE_PROVIDER icu ICU_LOCALE '${opts.collation}' LOCALE 'C.UTF-8'`
      : '';
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'${locale}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
