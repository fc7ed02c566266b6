/**
 * The curves as SVG, rendered by ECharts on the server (no browser): delivered throughput per wall and p99
 * age against the offered rate for both pipelines, and the 10× burst timeline. A reader sees the gap at a glance.
 */
import * as echarts from 'echarts';
import type { RatePoint } from '../pipeline/pipeline-bench';
import type { BurstResult } from '../pipeline/suite';

const WIDTH_PX = 1200;
const HEIGHT_PX = 820;
const COLORS = { packed: '#2f9bff', naive: '#ff6b4a', target: '#9aa5b1', cpu: '#f5c542' };

function render(option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH_PX, height: HEIGHT_PX });
  chart.setOption(option);
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

export function renderCurves(
  packed: RatePoint[],
  naive: RatePoint[],
  bursts: BurstResult[],
  title: string,
  cores: number,
): string {
  const series = (pts: RatePoint[], pick: (p: RatePoint) => number) =>
    pts.map((p) => [p.offered, Math.max(1, pick(p))]);
  const grid = [
    { left: 80, right: 640, top: 90, height: 280 },
    { left: 660, right: 60, top: 90, height: 280 },
    { left: 80, right: 60, top: 480, height: 260 },
  ];
  const burstSeries = bursts.map((b) => ({
    name: `${b.pipeline} burst p99`,
    type: 'line',
    xAxisIndex: 2,
    yAxisIndex: 2,
    showSymbol: false,
    lineStyle: { color: COLORS[b.pipeline] },
    itemStyle: { color: COLORS[b.pipeline] },
    data: (b.timeline ?? []).map((s) => [(s.tMs - b.burstStartMs) / 1000, Math.max(1, s.p99)]),
  }));
  const line = (name: string, pts: number[][], axis: number, color: string) => ({
    name,
    type: 'line',
    xAxisIndex: axis,
    yAxisIndex: axis,
    data: pts,
    symbolSize: 7,
    lineStyle: { color, width: 2 },
    itemStyle: { color },
  });
  return render({
    // Server-side rendering takes one frame: with animation on, lines would still be at their first frame.
    animation: false,
    backgroundColor: '#0b1a33',
    textStyle: { color: '#cfe3ff' },
    title: [
      { text: title, left: 'center', top: 10, textStyle: { color: '#e8f2ff', fontSize: 18 } },
      {
        text: 'Delivered updates/s per wall vs offered',
        left: 80,
        top: 55,
        textStyle: { color: '#cfe3ff', fontSize: 13 },
      },
      {
        text: 'p99 age at arrival (ms) vs offered; machine CPU (right axis)',
        left: 660,
        top: 55,
        textStyle: { color: '#cfe3ff', fontSize: 13 },
      },
      {
        text: '10× burst: p99 age per 100 ms (s from burst start; burst lasts 5 s)',
        left: 80,
        top: 445,
        textStyle: { color: '#cfe3ff', fontSize: 13 },
      },
    ],
    legend: { top: 780, textStyle: { color: '#cfe3ff' } },
    grid,
    xAxis: [0, 1]
      .map((i) => ({
        type: 'log',
        gridIndex: i,
        name: 'offered /s',
        nameLocation: 'middle',
        nameGap: 28,
        axisLabel: { color: '#cfe3ff' },
        splitLine: { lineStyle: { color: '#1d3357' } },
      }))
      .concat([
        {
          type: 'value',
          gridIndex: 2,
          name: 's',
          nameLocation: 'middle',
          nameGap: 28,
          axisLabel: { color: '#cfe3ff' },
          splitLine: { lineStyle: { color: '#1d3357' } },
        } as never,
      ]),
    yAxis: [0, 1, 2]
      .map((i) => ({
        type: 'log',
        gridIndex: i,
        axisLabel: { color: '#cfe3ff' },
        splitLine: { lineStyle: { color: '#1d3357' } },
      }))
      .concat([
        // The machine's CPU beside the packed p99: the cores are shared with the producer, walls and Redis.
        {
          type: 'value',
          gridIndex: 1,
          position: 'right',
          min: 0,
          max: cores * 100,
          axisLabel: { color: COLORS.cpu, formatter: '{value} %' },
          splitLine: { show: false },
        } as never,
      ]),
    series: [
      line(
        'packed binary (delivered/s per wall)',
        series(packed, (p) => p.receivedPerClient),
        0,
        COLORS.packed,
      ),
      line(
        'naive JSON (delivered/s per wall)',
        series(naive, (p) => p.receivedPerClient),
        0,
        COLORS.naive,
      ),
      line(
        'packed p99',
        series(packed, (p) => p.p99),
        1,
        COLORS.packed,
      ),
      line(
        'naive p99',
        series(naive, (p) => p.p99),
        1,
        COLORS.naive,
      ),
      {
        name: `packed: machine CPU (${cores} cores = ${cores * 100} %)`,
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 3,
        symbolSize: 5,
        lineStyle: { type: 'dotted', color: COLORS.cpu },
        itemStyle: { color: COLORS.cpu },
        data: packed.filter((p) => p.machineCpuPct != null).map((p) => [p.offered, p.machineCpuPct]),
      },
      {
        name: 'target 150 ms',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        showSymbol: false,
        lineStyle: { type: 'dashed', color: COLORS.target },
        data: [
          [Math.min(...naive.map((p) => p.offered), 1_000), 150],
          [Math.max(...packed.map((p) => p.offered), 1_000_000), 150],
        ],
      },
      ...burstSeries,
    ],
  });
}
