import type { Figure } from './figures';

const fmt = (v: number | null) =>
  v === null ? '—' : Math.abs(v) >= 10_000 ? v.toLocaleString('en-US') : String(v);

/** The figures as a fixed-width table on stdout. */
export function printTable(figures: Record<string, Figure>): void {
  const rows = Object.entries(figures).map(([k, f]) => [
    k,
    // Median of several runs: the range beside it.
    typeof f.min === 'number' && typeof f.max === 'number'
      ? `${fmt(f.value)} (${fmt(f.min)}–${fmt(f.max)})`
      : fmt(f.value),
    fmt(f.baseline),
    f.ratio === null ? '—' : `${f.ratio}×`,
    fmt(f.target),
    f.met === null ? 'n/a' : f.met ? 'MET' : 'not met',
    f.unit,
  ]);
  const head = ['fig', 'value', 'naive', 'ratio', 'target', 'status', 'unit'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const [k, f] of Object.entries(figures)) console.log(`${k}: ${f.note}`);
}
