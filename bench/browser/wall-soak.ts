/**
 * `npm run bench:wall-soak [-- --minutes=N]`: the built product in demo mode (simulator running), one /wall
 * in Chromium at 1920×1080 for N minutes (default 10). Every minute it forces a garbage collection and reads
 * the page's JS heap and DOM node count, then prints the samples and the trend (least squares over the
 * samples after the first two minutes, which are warm-up). A wall that holds its lists, trails and series to
 * their bounds stays flat; one that leaks climbs. Needs `npm run build` first.
 */
import { launchBrowser } from '../../tests/helpers/browser';
import { startServerProcess } from '../../tests/helpers/server-process';
import { leastSquaresSlope } from '../lib/regression';

const minutes = Number(process.argv.find((a) => a.startsWith('--minutes='))?.slice(10) ?? 10);
const WARMUP_SAMPLES = 2;

/** Samples are a minute apart: the slope over their index is per minute. */
const slopePerMin = (ys: number[]) =>
  leastSquaresSlope(
    ys.map((_, i) => i),
    ys,
  );

const server = await startServerProcess({ DEMO: '1' });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.url}/login?next=/wall`);
  await page.fill('input[name="username"]', 'duty');
  await page.fill('input[name="password"]', 'pingan-demo');
  await Promise.all([page.waitForURL((u) => u.pathname === '/wall'), page.click('button[type="submit"]')]);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  const samples: { min: number; heapMb: number; nodes: number }[] = [];
  for (let m = 0; m <= minutes; m++) {
    if (m > 0) await new Promise((r) => setTimeout(r, 60_000));
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    samples.push({ min: m, heapMb: heap.usedSize / 1e6, nodes: dom.nodes });
    console.log(`[${m} min] JS heap ${(heap.usedSize / 1e6).toFixed(1)} MB, DOM nodes ${dom.nodes}`);
  }
  const steady = samples.slice(WARMUP_SAMPLES);
  console.log(
    `wall soak ${minutes} min: heap trend ${slopePerMin(steady.map((s) => s.heapMb)).toFixed(2)} MB/min, ` +
      `DOM trend ${slopePerMin(steady.map((s) => s.nodes)).toFixed(0)} nodes/min (after ${WARMUP_SAMPLES} min warm-up)`,
  );
} finally {
  await browser.close();
  await server.stop();
}
