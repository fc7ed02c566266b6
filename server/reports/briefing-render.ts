/**
 * The page SVG to a file, in a worker thread (server/reports/render-worker.mjs) so the realtime server's
 * event loop never waits on it: PDF through pdfkit + svg-to-pdfkit with the CJK font embedded as a subset
 * (only the glyphs used, so a report stays ~200 KB), PNG through resvg with the same font file.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { REPORT_FONT_FAMILY } from './briefing-charts';
import { PAGE_H, PAGE_W } from './briefing-page';

/** PNG pixels per PDF point: 2× makes an A4 landscape page 1684 px wide, sharp on a projector. */
const PNG_SCALE = 2;
const WORKER_URL = new URL('./render-worker.mjs', import.meta.url);

export class ReportFontError extends Error {}

export interface ReportFonts {
  regular: string;
  /** The bold file beside it (NotoSansCJK-Bold.ttc), or the regular one when there is none. */
  bold: string;
}

/** Resolves REPORT_FONT_PATH (a Noto Sans CJK .ttc/.otf) or says clearly what is missing. */
export function resolveReportFonts(fontPath: string): ReportFonts {
  if (!existsSync(fontPath))
    throw new ReportFontError(
      `report font not found at ${fontPath}: install fonts-noto-cjk or set REPORT_FONT_PATH to a Noto Sans CJK font`,
    );
  const bold = fontPath.replace(/Regular(\.\w+)$/, 'Bold$1');
  return { regular: fontPath, bold: bold !== fontPath && existsSync(bold) ? bold : fontPath };
}

function inWorker(job: Record<string, unknown>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: job });
    worker.once('message', (m: { ok: true; body: Uint8Array } | { ok: false; error: string }) => {
      void worker.terminate();
      if (m.ok) resolve(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
      else reject(new Error(`report rendering failed: ${m.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`report render worker exited with ${code}`));
    });
  });
}

export function renderPdf(svg: string, fonts: ReportFonts, meta: { title: string }): Promise<Buffer> {
  return inWorker({ kind: 'pdf', svg, fonts, title: meta.title, page: { width: PAGE_W, height: PAGE_H } });
}

export function renderPng(svg: string, fonts: ReportFonts, widthPx = PAGE_W * PNG_SCALE): Promise<Buffer> {
  return inWorker({
    kind: 'png',
    svg,
    fonts,
    widthPx,
    family: REPORT_FONT_FAMILY,
    page: { width: PAGE_W, height: PAGE_H },
  });
}
