// Loaded only by the reports page (a chunk of its own): the rest of the console stays small on a phone.
import { HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  HeatmapChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export interface Chart {
  dispose(): void;
}

function chartOn(el: HTMLElement): echarts.ECharts {
  const chart = echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: 'canvas' });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  chart.on('finished', () => el.setAttribute('data-rendered', 'true'));
  return chart;
}

/** 核销热力图: day of week down, hour of day across, darker where more redemptions. */
export function heatmap(
  el: HTMLElement,
  cells: { dayOfWeek: number; hour: number; redemptions: number }[],
  days: string[],
  countLabel: string,
): Chart {
  const chart = chartOn(el);
  const max = Math.max(1, ...cells.map((c) => c.redemptions));
  chart.setOption({
    animation: false,
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) =>
        `${days[p.value[1]] ?? ''} ${String(p.value[0]).padStart(2, '0')}:00 — ${countLabel} ${p.value[2]}`,
    },
    grid: { left: 48, right: 12, top: 8, bottom: 84 },
    xAxis: { type: 'category', data: [...Array(24).keys()].map((h) => `${h}`), splitArea: { show: true } },
    yAxis: { type: 'category', data: days, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => [c.hour, c.dayOfWeek - 1, c.redemptions]),
        emphasis: { itemStyle: { shadowBlur: 6 } },
      },
    ],
  });
  return chart;
}

/** Redemptions per day as a line. */
export function dailyLine(el: HTMLElement, rows: { date: string; redemptions: number }[], countLabel: string): Chart {
  const chart = chartOn(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 12, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((r) => r.date.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: countLabel, data: rows.map((r) => r.redemptions), smooth: true, areaStyle: {} }],
  });
  return chart;
}

/** A device's temperature and signal over time, each on its own axis. */
export function telemetryLines(
  el: HTMLElement,
  rows: { at: string; temperatureC: number | null; rssiDbm: number | null }[],
  labels: { temperature: string; signal: string },
  time: (at: string) => string,
): Chart {
  const chart = chartOn(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((r) => time(r.at)) },
    yAxis: [
      { type: 'value', name: '°C', scale: true },
      { type: 'value', name: 'dBm', scale: true },
    ],
    series: [
      { type: 'line', name: labels.temperature, data: rows.map((r) => r.temperatureC), connectNulls: true },
      { type: 'line', name: labels.signal, yAxisIndex: 1, data: rows.map((r) => r.rssiDbm), connectNulls: true },
    ],
  });
  return chart;
}
