// Renders one briefing page off the main thread (plain JavaScript: it runs as is under node, tsx and vitest).
// In: { kind: 'pdf' | 'png', svg, fonts: { regular, bold }, title, page: { width, height }, widthPx, family }.
// Out: { ok: true, body: Uint8Array } or { ok: false, error }.
import { Buffer } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { Resvg } from '@resvg/resvg-js';

/** The TTC's face for Simplified Chinese (fontkit picks a face of a collection by PostScript name). */
const REGULAR_FACE = 'NotoSansCJKsc-Regular';
const BOLD_FACE = 'NotoSansCJKsc-Bold';
const isCollection = (p) => /\.ttc$/i.test(p);

function pdf(job) {
  const doc = new PDFDocument({
    size: [job.page.width, job.page.height],
    margin: 0,
    info: { Title: job.title, Creator: 'Pingan Wall', Producer: 'Pingan Wall' },
  });
  const { regular, bold } = job.fonts;
  if (isCollection(regular)) doc.registerFont('cjk', regular, REGULAR_FACE);
  else doc.registerFont('cjk', regular);
  if (isCollection(bold)) doc.registerFont('cjk-bold', bold, bold === regular ? REGULAR_FACE : BOLD_FACE);
  else doc.registerFont('cjk-bold', bold);
  const chunks = [];
  const done = new Promise((resolve, reject) => {
    doc.on('data', (c) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  SVGtoPDF(doc, job.svg, 0, 0, {
    width: job.page.width,
    height: job.page.height,
    assumePt: true,
    // Every text of the page is Chinese-capable: one family, bold where the SVG asks for it.
    fontCallback: (_family, isBold) => (isBold ? 'cjk-bold' : 'cjk'),
  });
  doc.end();
  return done;
}

function png(job) {
  const resvg = new Resvg(job.svg, {
    fitTo: { mode: 'width', value: job.widthPx },
    background: '#ffffff',
    font: {
      fontFiles: [...new Set([job.fonts.regular, job.fonts.bold])],
      loadSystemFonts: false,
      defaultFontFamily: job.family,
      sansSerifFamily: job.family,
    },
  });
  return resvg.render().asPng();
}

const job = workerData;
Promise.resolve()
  .then(() => (job.kind === 'pdf' ? pdf(job) : png(job)))
  .then((body) => parentPort.postMessage({ ok: true, body }))
  .catch((err) => parentPort.postMessage({ ok: false, error: String(err?.stack ?? err) }));
