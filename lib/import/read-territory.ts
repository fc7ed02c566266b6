import { unzipSync } from 'fflate';
import * as shapefile from 'shapefile';
import type { Crs } from '../domain/enums';
import { decodeText, detectEncoding, encodingFromCpg } from './decode-text';
import { ImportFileError } from './issues';

/** One feature as the file has it, before any check: `index` is its place in the file (0-based). */
export interface RawTerritoryFeature {
  index: number;
  code: unknown;
  name: unknown;
  /** The feature's own `crs` property, when it has one. */
  crs: unknown;
  geometry: unknown;
}

export interface TerritoryFile {
  format: 'geojson' | 'shapefile';
  /** What the file as a whole says its coordinates are (a feature's own `crs` wins). */
  crs: Crs;
  features: AsyncIterable<RawTerritoryFeature>;
}

/** Bytes one member of a zipped Shapefile may inflate to: a zip bomb stops here, not in the heap. */
export const MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Reads a territory file: a GeoJSON FeatureCollection (UTF-8 or GBK) or a zipped Shapefile (.shp + .dbf,
 * attributes decoded as its .cpg says, else detected). The format follows from the bytes, not the name.
 */
export async function readTerritoryFile(bytes: Uint8Array): Promise<TerritoryFile> {
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return readZippedShapefile(bytes);
  return readGeoJson(bytes);
}

/** `crs` as files write it: our names, GeoJSON 2008's named CRS object, EPSG codes. */
export function parseCrs(raw: unknown): Crs | null {
  let v = raw;
  if (v && typeof v === 'object') v = (v as { properties?: { name?: unknown } }).properties?.name;
  if (v === undefined || v === null || v === '') return 'wgs84';
  if (typeof v !== 'string') return null;
  const s = v
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  if (
    ['wgs84', 'epsg:4326', 'urn:ogc:def:crs:ogc:1.3:crs84', 'urn:ogc:def:crs:epsg::4326', 'crs84'].includes(s)
  )
    return 'wgs84';
  // CGCS2000 differs from WGS-84 by centimetres: the same for a wall.
  if (['cgcs2000', 'epsg:4490', 'urn:ogc:def:crs:epsg::4490'].includes(s)) return 'wgs84';
  if (s === 'gcj02') return 'gcj02';
  if (s === 'bd09' || s === 'bd09ll') return 'bd09';
  return null;
}

function jsonErrorPlace(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(String((err as Error).message));
  if (!m) return 'file';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

function readGeoJson(bytes: Uint8Array): TerritoryFile {
  const { text } = decodeText(bytes, detectEncoding(bytes));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ImportFileError(jsonErrorPlace(text, err), `不是有效的 GeoJSON：${(err as Error).message}`);
  }
  const d = doc as { type?: unknown; features?: unknown; crs?: unknown };
  if (!d || typeof d !== 'object') throw new ImportFileError('file', '不是 GeoJSON 对象');
  const list: unknown[] =
    d.type === 'FeatureCollection' && Array.isArray(d.features)
      ? d.features
      : d.type === 'Feature'
        ? [d]
        : (() => {
            throw new ImportFileError('file', 'GeoJSON 须为 FeatureCollection（含 features 数组）');
          })();
  const crs = parseCrs(d.crs);
  if (!crs)
    throw new ImportFileError(
      'file',
      `不支持的坐标系 crs：${JSON.stringify(d.crs)}（可用 wgs84、gcj02、bd09）`,
    );
  return {
    format: 'geojson',
    crs,
    features: (async function* () {
      for (let i = 0; i < list.length; i++) {
        const f = list[i] as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
        const props = (
          f && typeof f === 'object' && f.properties && typeof f.properties === 'object' ? f.properties : {}
        ) as Record<string, unknown>;
        yield {
          index: i,
          code: props.code,
          name: props.name,
          crs: props.crs,
          geometry: f && typeof f === 'object' && f.type === 'Feature' ? f.geometry : undefined,
        };
        // Let go of the parsed feature: the checked copy is all that is kept.
        list[i] = null;
      }
    })(),
  };
}

function readZippedShapefile(bytes: Uint8Array): TerritoryFile {
  const wanted = /\.(shp|dbf|cpg|prj)$/i;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted.test(f.name) || /(^|\/)__MACOSX\//.test(f.name)) return false;
        if (f.originalSize > MAX_UNZIPPED_BYTES)
          throw new ImportFileError(f.name, `解压后超过 ${MAX_UNZIPPED_BYTES} 字节`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('file', `zip 文件无法解压：${(err as Error).message}`);
  }
  const shps = Object.keys(files).filter((n) => /\.shp$/i.test(n));
  if (shps.length === 0) throw new ImportFileError('file', 'zip 内没有 .shp 文件');
  if (shps.length > 1)
    throw new ImportFileError('file', `zip 内有多个 .shp 文件：${shps.join('、')}（每次导入一个）`);
  const base = shps[0]!.replace(/\.shp$/i, '');
  const sibling = (ext: string) =>
    Object.entries(files).find(([n]) => n.toLowerCase() === `${base}.${ext}`.toLowerCase())?.[1];
  const dbf = sibling('dbf');
  if (!dbf) throw new ImportFileError(`${base}.dbf`, '缺少 .dbf 属性文件（code、name 在其中）');
  const prj = sibling('prj');
  if (prj && /^\s*PROJCS/i.test(new TextDecoder().decode(prj)))
    throw new ImportFileError(
      `${base}.prj`,
      '坐标为投影坐标（PROJCS）：请导出为经纬度（WGS-84 / CGCS2000 / GCJ-02）',
    );
  const cpg = sibling('cpg');
  const encoding = (cpg && encodingFromCpg(new TextDecoder().decode(cpg))) || dbfEncoding(dbf);
  const shp = sibling('shp')!;
  return {
    format: 'shapefile',
    crs: 'wgs84',
    features: (async function* () {
      let source: Awaited<ReturnType<typeof shapefile.open>>;
      try {
        source = await shapefile.open(toArrayBuffer(shp), toArrayBuffer(dbf), { encoding });
      } catch (err) {
        throw new ImportFileError(`${base}.shp`, `Shapefile 无法读取：${(err as Error).message}`);
      }
      for (let index = 0; ; index++) {
        let r: { done: boolean; value: GeoJSON.Feature };
        try {
          r = await source.read();
        } catch (err) {
          throw new ImportFileError(`feature ${index}`, `Shapefile 记录无法读取：${(err as Error).message}`);
        }
        if (r.done) return;
        const props = lowerKeys(r.value.properties ?? {});
        yield { index, code: props.code, name: props.name, crs: props.crs, geometry: r.value.geometry };
      }
    })(),
  };
}

/** Without a .cpg: the records are tried as UTF-8 and read as GBK when they are not valid UTF-8. */
function dbfEncoding(dbf: Uint8Array): 'utf-8' | 'gbk' {
  const headerBytes = dbf.length >= 10 ? dbf[8]! | (dbf[9]! << 8) : 0;
  return detectEncoding(dbf.subarray(Math.min(headerBytes, dbf.length)));
}

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.trim().toLowerCase()] = typeof v === 'string' ? v.trim() : v;
  return out;
}

function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}
