import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { BasemapSource } from '@/lib/map/basemap-style';
import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';
import { loadBasemapFeatures, loadWorldInfo } from './load-world';

/** Community outlines are left off the basemap above this many (a province's 12,000 are drawn by the wall's own layer). */
const MAX_COMMUNITY_OUTLINES = 20_000;

export interface BasemapAsset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

type Feature = { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };
const fc = (features: Feature[]) => ({ type: 'FeatureCollection', features });

/** Builds the GeoJSON behind each basemap source from the seeded world; null if there is none. */
export async function buildBasemapGeoJson(db: SqlRunner): Promise<Record<BasemapSource, unknown> | null> {
  const info = await loadWorldInfo(db);
  const f = await loadBasemapFeatures(db);
  if (!info || !f) return null;
  // Ordered, so every process serves the same bytes (and ETag) for one territory.
  const rows = await db.all<{
    code: string;
    level: string;
    name: string;
    geometry: string | null;
    centerLng: number | null;
    centerLat: number | null;
  }>(
    sql`SELECT code, level, name, geometry, center_lng AS "centerLng", center_lat AS "centerLat" FROM regions ORDER BY code`,
  );
  const communityCount = rows.filter((r) => r.level === 'community').length;
  const outlines = rows.filter(
    (r) => r.geometry && (r.level !== 'community' || communityCount <= MAX_COMMUNITY_OUTLINES),
  );
  const topLevel = rows.some((r) => r.level === 'city' && r.geometry) ? 'city' : 'district';
  return {
    land: fc(
      rows
        .filter((r) => r.level === topLevel && r.geometry)
        .map((r) => ({ type: 'Feature', properties: { code: r.code }, geometry: JSON.parse(r.geometry!) })),
    ),
    water: fc([
      ...f.lakes.map((l) => ({
        type: 'Feature' as const,
        properties: { name: l.name },
        geometry: l.geometry,
      })),
      ...f.rivers.map((r) => ({
        type: 'Feature' as const,
        properties: { name: r.name, widthM: r.widthM },
        geometry: { type: 'LineString', coordinates: r.coords },
      })),
    ]),
    parks: fc(f.parks.map((p) => ({ type: 'Feature', properties: { name: p.name }, geometry: p.geometry }))),
    roads: fc(
      f.roads.map((r) => ({
        type: 'Feature',
        properties: { name: r.name, cls: r.cls },
        geometry: { type: 'LineString', coordinates: r.coords },
      })),
    ),
    boundaries: fc(
      outlines.map((r) => ({
        type: 'Feature',
        properties: { code: r.code, level: r.level },
        geometry: JSON.parse(r.geometry!),
      })),
    ),
    places: fc([
      ...rows
        .filter(
          (r) =>
            r.centerLng !== null &&
            r.centerLat !== null &&
            (r.level !== 'community' || communityCount <= MAX_COMMUNITY_OUTLINES),
        )
        .map((r) => ({
          type: 'Feature' as const,
          properties: { name: r.name, kind: r.level, code: r.code },
          geometry: { type: 'Point', coordinates: [r.centerLng, r.centerLat] },
        })),
      ...f.pois.map((p) => ({
        type: 'Feature' as const,
        properties: { name: p.name, kind: 'poi', poi: p.kind },
        geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
      })),
    ]),
  };
}

/** Serialised and gzipped once: the sources never change while the world stays the same. */
export function encodeAsset(value: unknown): BasemapAsset {
  const body = Buffer.from(JSON.stringify(value));
  return {
    body,
    gzip: gzipSync(body, { level: 6 }),
    etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
  };
}
