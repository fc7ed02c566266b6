import { defineConfig } from 'drizzle-kit';

// PostgreSQL (issue 19): the same tables as drizzle.config.ts, migrations in their own folder.
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/pg/schema.ts',
  out: './drizzle-pg',
});
