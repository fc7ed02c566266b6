/**
 * npm run import -- <territory|cameras|vehicles|workers|departments> <file> [--dry-run]
 *
 * Imports a territory (GeoJSON or zipped Shapefile) or a registry (CSV or XLSX) into DATABASE_PATH, the same
 * checks and the same single transaction as POST /api/admin/import/{kind}. Prints the result as JSON; exits 1
 * when the file has errors (nothing was written), 2 on wrong usage or an AUDIT_KEY that does not fit the
 * database's audit chain. A server already running on the same database notices the new import run within
 * seconds and refreshes its walls (watch-import-runs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '@/lib/clock';
import { IMPORT_KINDS, isImportKind, type ImportResult } from '@/lib/import/issues';
import { AuditKeyError, configureSqlAuditChain } from '@/server/audit/audit-key';
import { SqlAudit } from '@/server/audit/audit-append';
import { openSqlDbFromEnv } from '@/server/db/system-of-record';
import { importRegistry } from '@/server/admin/import/import-registry';
import { importTerritory } from '@/server/admin/import/import-territory';

const USAGE = `usage: npm run import -- <${IMPORT_KINDS.join('|')}> <file> [--dry-run]`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const [kind, file, ...rest] = args.filter((a) => a !== '--dry-run');
  if (!kind || !file || rest.length > 0 || !isImportKind(kind)) {
    console.error(USAGE);
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const opened = await openSqlDbFromEnv();
  try {
    // The server's key, so the import's audit row continues a keyed chain (a keyed chain refuses rows
    // without it; AuditKeyError says which key to set).
    const sql = opened.sql;
    await configureSqlAuditChain(sql, { auditKey: process.env.AUDIT_KEY || undefined });
    const ctx = {
      sql,
      audit: new SqlAudit(sql, systemClock),
      clock: systemClock,
      actor: { username: `cli:${os.userInfo().username}`, role: 'admin', clientAddress: null },
    };
    const input = { bytes, name: path.basename(file) };
    const result: ImportResult =
      kind === 'territory'
        ? await importTerritory(ctx, input, { dryRun })
        : await importRegistry(ctx, kind, input, { dryRun });
    console.log(JSON.stringify(result, null, 2));
    const summary = `${kind}${dryRun ? ' (dry run)' : ''}: created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, errors ${result.errors.length + result.moreErrors}, warnings ${result.warnings.length + result.moreWarnings}`;
    console.error(result.ok ? summary : `${summary}: nothing written`);
    return result.ok ? 0 : 1;
  } finally {
    await opened.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A key that does not fit the database is the operator's setting to fix, not a crash to read.
    if (err instanceof AuditKeyError) {
      console.error(`cannot import: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
