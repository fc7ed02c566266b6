import { is, Table, type SQL } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteSyncDialect, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '../schema';
import { COPY_ORDER } from './migrate-from-sqlite';
import * as pgSchema from './schema';

/** JSON text that PostgreSQL may hold as jsonb (only ever parsed, never hashed or sent byte for byte). */
const JSONB_COLUMNS = new Set(['departments.categories', 'incident_events.data']);
/** Epoch-millisecond columns: an int4 would overflow in 1970 + 25 days. */
const isEpochMs = (name: string) => /(^|_)at$|^minute$|^locked_until$/.test(name);

const sqliteTables = new Map(
  Object.values(sqliteSchema)
    .filter((v) => is(v, Table))
    .map((t) => [sqliteConfig(t as SQLiteTable).name, t as SQLiteTable]),
);
const pgTables = new Map(
  Object.values(pgSchema)
    .filter((v) => is(v, Table))
    .map((t) => [pgConfig(t as PgTable).name, t as PgTable]),
);

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();
const whereText = (w: SQL | undefined, dialect: SQLiteSyncDialect | PgDialect) =>
  w ? dialect.sqlToQuery(w).sql : null;

function expectedPgKinds(table: string, col: { name: string; columnType: string; getSQLType(): string }) {
  const t = col.getSQLType();
  if (col.columnType === 'SQLiteBoolean') return ['boolean'];
  if (t === 'integer') return isEpochMs(col.name) ? ['bigint'] : ['integer', 'bigint'];
  if (t === 'real') return ['double precision'];
  if (t === 'blob') return ['bytea'];
  if (t === 'text') return JSONB_COLUMNS.has(`${table}.${col.name}`) ? ['jsonb'] : ['text'];
  return [`(unknown SQLite kind ${t})`];
}

describe('PostgreSQL schema mirrors the SQLite schema', () => {
  it('has the same tables', () => {
    expect([...pgTables.keys()].sort()).toEqual([...sqliteTables.keys()].sort());
    expect(sqliteTables.size).toBeGreaterThan(20);
  });

  it('copies every table exactly once', () => {
    expect(COPY_ORDER.map((t) => pgConfig(t).name).sort()).toEqual([...pgTables.keys()].sort());
  });

  for (const [name, lite] of sqliteTables) {
    it(`${name}: same columns, nullability, kinds, defaults, enums and keys`, () => {
      const l = sqliteConfig(lite);
      const p = pgConfig(pgTables.get(name)!);
      expect(p.columns.map((c) => c.name)).toEqual(l.columns.map((c) => c.name));
      for (const lc of l.columns) {
        const pc = p.columns.find((c) => c.name === lc.name)!;
        const where = `${name}.${lc.name}`;
        expect({ where, notNull: pc.notNull }).toEqual({ where, notNull: lc.notNull });
        expect(expectedPgKinds(name, lc), where).toContain(pc.getSQLType());
        // SQLite calls every INTEGER PRIMARY KEY defaulted (it is the rowid); only AUTOINCREMENT ones are
        // meant to be, and those are identity columns here (checked below).
        const isAuto = (lc as unknown as { autoIncrement?: boolean }).autoIncrement === true;
        const isRowid = lc.primary && lc.getSQLType() === 'integer' && !isAuto;
        expect({ where, hasDefault: pc.hasDefault }).toEqual({
          where,
          hasDefault: lc.hasDefault && !isRowid,
        });
        expect({ where, enum: pc.enumValues ?? null }).toEqual({ where, enum: lc.enumValues ?? null });
        expect({ where, primary: pc.primary }).toEqual({ where, primary: lc.primary });
        // An auto-increment id stays one, so rows written after the move get fresh ids.
        expect({ where, identity: pc.generatedIdentity !== undefined }).toEqual({ where, identity: isAuto });
      }
      expect(p.primaryKeys.map((k) => k.columns.map((c) => c.name))).toEqual(
        l.primaryKeys.map((k) => k.columns.map((c) => c.name)),
      );
      expect(p.uniqueConstraints.map((u) => u.columns.map((c) => c.name))).toEqual(
        l.uniqueConstraints.map((u) => u.columns.map((c) => c.name)),
      );
      const cols = (ix: { config: { columns: unknown[] } }) =>
        ix.config.columns.map((c) => (c as { name: string }).name);
      expect(
        p.indexes.map((ix) => ({
          name: ix.config.name,
          columns: cols(ix),
          unique: ix.config.unique,
          where: whereText(ix.config.where, pgDialect),
        })),
      ).toEqual(
        l.indexes.map((ix) => ({
          name: ix.config.name,
          columns: cols(ix),
          unique: ix.config.unique,
          where: whereText(ix.config.where, sqliteDialect),
        })),
      );
      expect(p.checks.map((c) => c.name)).toEqual(l.checks.map((c) => c.name));
      expect(p.foreignKeys.length).toBe(l.foreignKeys.length);
    });
  }

  it('keeps the one-open-assignment-per-unit index partial and unique', () => {
    const ix = pgConfig(pgSchema.incidents).indexes.find(
      (i) => i.config.name === 'incidents_engaged_unit_idx',
    );
    expect(ix?.config.unique).toBe(true);
    expect(whereText(ix?.config.where, pgDialect)).toMatch(/state IN \('dispatched', 'on_scene'\)/);
  });
});
