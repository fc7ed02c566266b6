import fs from 'node:fs';
import type { ServerResponse, IncomingMessage } from 'node:http';
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';

/** A PMTiles source over a local file (the package's FileSource is for browser File objects). */
class LocalFileSource implements Source {
  constructor(private readonly file: string) {}
  getKey(): string {
    return this.file;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const fh = await fs.promises.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) as ArrayBuffer };
    } finally {
      await fh.close();
    }
  }
}

export interface PmtilesSummary {
  isVector: boolean;
  vectorLayers: string[];
  center: [number, number];
  zoom: number;
}

/** Reads the archive's header and metadata: what kind of tiles, which layers, where to look first. */
export async function readPmtilesSummary(file: string): Promise<PmtilesSummary> {
  const archive = new PMTiles(new LocalFileSource(file));
  const header = await archive.getHeader();
  const metadata = (await archive.getMetadata().catch(() => ({}))) as { vector_layers?: { id: string }[] };
  return {
    isVector: header.tileType === TileType.Mvt,
    vectorLayers: (metadata.vector_layers ?? []).map((l) => l.id),
    center: [header.centerLon, header.centerLat],
    zoom: header.centerZoom || header.minZoom,
  };
}

/** Serves a file with HTTP byte ranges (what the pmtiles client asks for), one range per request. */
export async function sendFileRange(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const stat = await fs.promises.stat(file);
  const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const base = {
    'accept-ranges': 'bytes',
    etag,
    'content-type': 'application/octet-stream',
    'cache-control': 'public, max-age=3600',
  };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m || (!m[1] && !m[2])) {
    res.writeHead(200, { ...base, 'content-length': stat.size });
    fs.createReadStream(file).pipe(res);
    return;
  }
  let start = m[1] ? Number(m[1]) : stat.size - Number(m[2]);
  let end = m[1] && m[2] ? Number(m[2]) : stat.size - 1;
  start = Math.max(0, start);
  end = Math.min(end, stat.size - 1);
  if (start > end) {
    res.writeHead(416, { ...base, 'content-range': `bytes */${stat.size}` });
    res.end();
    return;
  }
  res.writeHead(206, {
    ...base,
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${stat.size}`,
  });
  fs.createReadStream(file, { start, end }).pipe(res);
}
