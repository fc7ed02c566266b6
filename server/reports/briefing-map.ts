/**
 * The report's map: the scope's area outlines and the period's incidents as SVG, drawn from the geometry the
 * server stores (WGS-84), no tiles. An equirectangular projection with the latitude's cosine keeps shapes
 * true enough at a county's or a city's size.
 */
import type { BriefingData } from './briefing-data';
import { esc, REPORT_FONT_FAMILY } from './briefing-charts';

type Ring = [number, number][];

/** Outer and inner rings of a Polygon or MultiPolygon; anything else draws nothing. */
function ringsOf(geometry: unknown): Ring[] {
  const g = geometry as { type?: string; coordinates?: unknown };
  if (g?.type === 'Polygon') return (g.coordinates as Ring[]) ?? [];
  if (g?.type === 'MultiPolygon') return ((g.coordinates as Ring[][]) ?? []).flat();
  return [];
}

const PRIORITY_FILL = ['#dc2626', '#dc2626', '#ea580c', '#2563eb', '#64748b'];

export function incidentMapSvg(d: BriefingData, x: number, y: number, w: number, h: number): string {
  const areas = d.areas.map((a) => ({ name: a.name, rings: ringsOf(a.geometry) }));
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (lng: number, lat: number) => {
    if (!Number.isFinite(lng) || !Number.isFinite(lat)) return;
    minX = Math.min(minX, lng);
    maxX = Math.max(maxX, lng);
    minY = Math.min(minY, lat);
    maxY = Math.max(maxY, lat);
  };
  for (const a of areas) for (const r of a.rings) for (const [lng, lat] of r) grow(lng, lat);
  if (areas.length === 0) for (const p of d.points) grow(p.lng, p.lat);
  const frame = `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="#f8fafc" stroke="#d1d5db" stroke-width="0.6"/>`;
  if (!Number.isFinite(minX))
    return (
      frame +
      `<text x="${x + w / 2}" y="${y + h / 2}" font-family="${REPORT_FONT_FAMILY}" font-size="10" fill="#6b7280" text-anchor="middle">无区域边界与事件</text>`
    );
  const pad = 10;
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-6);
  const spanY = Math.max(maxY - minY, 1e-6);
  const s = Math.min((w - 2 * pad) / spanX, (h - 2 * pad) / spanY);
  const ox = x + (w - spanX * s) / 2;
  const oy = y + (h - spanY * s) / 2;
  const px = (lng: number) => ox + (lng - minX) * k * s;
  const py = (lat: number) => oy + (maxY - lat) * s;
  const f = (n: number) => n.toFixed(1);

  const out = [frame];
  for (const a of areas) {
    const path = a.rings
      .map((r) => r.map(([lng, lat], i) => `${i ? 'L' : 'M'}${f(px(lng))} ${f(py(lat))}`).join('') + 'Z')
      .join('');
    out.push(`<path d="${path}" fill="#eef2f7" fill-rule="evenodd" stroke="#64748b" stroke-width="0.7"/>`);
  }
  // Least urgent first, so 特急 incidents are drawn on top.
  const pts = [...d.points].sort((a, b) => b.priority - a.priority);
  for (const p of pts) {
    if (p.lng < minX || p.lng > maxX || p.lat < minY || p.lat > maxY) continue;
    const r = p.priority <= 1 ? 2.6 : 1.8;
    out.push(
      `<circle cx="${f(px(p.lng))}" cy="${f(py(p.lat))}" r="${r}" fill="${PRIORITY_FILL[p.priority] ?? '#64748b'}" fill-opacity="0.75"/>`,
    );
  }
  // Area names at their bounding-box centres (a label per area, small, over the points).
  if (areas.length <= 40)
    for (const a of areas) {
      const outer = a.rings[0];
      if (!outer?.length) continue;
      let [ax0, ay0, ax1, ay1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [lng, lat] of outer) {
        ax0 = Math.min(ax0, lng);
        ax1 = Math.max(ax1, lng);
        ay0 = Math.min(ay0, lat);
        ay1 = Math.max(ay1, lat);
      }
      out.push(
        `<text x="${f(px((ax0 + ax1) / 2))}" y="${f(py((ay0 + ay1) / 2))}" font-family="${REPORT_FONT_FAMILY}" font-size="7.5" fill="#334155" text-anchor="middle">${esc(a.name)}</text>`,
      );
    }
  const ly = y + h - 8;
  out.push(
    `<circle cx="${x + 10}" cy="${ly - 3}" r="2.6" fill="#dc2626"/><text x="${x + 16}" y="${ly}" font-family="${REPORT_FONT_FAMILY}" font-size="7.5" fill="#6b7280">特急</text>` +
      `<circle cx="${x + 44}" cy="${ly - 3}" r="1.8" fill="#ea580c"/><text x="${x + 50}" y="${ly}" font-family="${REPORT_FONT_FAMILY}" font-size="7.5" fill="#6b7280">紧急</text>` +
      `<circle cx="${x + 78}" cy="${ly - 3}" r="1.8" fill="#2563eb"/><text x="${x + 84}" y="${ly}" font-family="${REPORT_FONT_FAMILY}" font-size="7.5" fill="#6b7280">一般</text>` +
      `<circle cx="${x + 112}" cy="${ly - 3}" r="1.8" fill="#64748b"/><text x="${x + 118}" y="${ly}" font-family="${REPORT_FONT_FAMILY}" font-size="7.5" fill="#6b7280">较低</text>`,
  );
  return out.join('');
}
