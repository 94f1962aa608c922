/**
 * Charts of the dashboard: Apache ECharts rendered on the server to SVG (no script reaches the
 * browser), the library loaded by dynamic import the first time a chart is drawn so an idle
 * server does not carry it. The SVG is made to fit the pages' nonce CSP: ECharts' hover
 * stylesheet and class names are dropped (nothing to hover without script) and inline style
 * attributes become SVG presentation attributes (a nonce policy blocks `style="…"`).
 *
 * Cost: ECharts' setOption dominates (~10 ms a chart on a quiet core, whatever the number of
 * points), so only the parts drawn are registered (line, bar, grid, legend, SVG renderer:
 * fewer component types to walk on each setOption) and the last charts drawn are kept by
 * their full spec — a page opened again with the same figures reuses its SVG; new figures
 * make a new key, so nothing stale is ever served.
 */
import { esc, raw, type Html } from './html.js';

type ECharts = typeof import('echarts/core');
let library: Promise<ECharts> | undefined;
const load = (): Promise<ECharts> =>
  (library ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([
      import('echarts/core'),
      import('echarts/charts'),
      import('echarts/components'),
      import('echarts/renderers'),
    ]);
    core.use([
      charts.LineChart,
      charts.BarChart,
      components.GridComponent,
      components.LegendComponent,
      renderers.SVGRenderer,
    ]);
    return core;
  })());

/** Charts kept by spec (each ~12 kB of SVG: ~1 MB at most), least recently used dropped. */
const CACHE_SIZE = 80;
const cache = new Map<string, Html>();

export interface ChartSeries {
  name: string;
  data: (number | null)[];
  /** 'bar' or 'line' (default); `dashed`: a target line. */
  kind?: 'line' | 'bar';
  dashed?: boolean;
  color?: string;
}

export interface ChartSpec {
  /** What the chart shows, read by screen readers (role="img"). */
  label: string;
  categories: string[];
  series: ChartSeries[];
  /** Values are percentages (axis 0–100 and "%" labels). */
  percent?: boolean;
  width?: number;
  height?: number;
}

/** Colours with enough contrast on white (WCAG AA for the lines and their labels). */
const PALETTE = ['#0b4f8a', '#b03a2e', '#6b4c9a', '#1e7a46', '#8a5a00'];

/** `style="a:b;c:d"` → ` a="b" c="d"`; anything else of the attribute is dropped. */
function styleToAttributes(style: string): string {
  return style
    .split(';')
    .map((d) => d.trim())
    .filter((d) => /^[a-z-]+:[^"<>]+$/.test(d))
    .map((d) => {
      const i = d.indexOf(':');
      return ` ${d.slice(0, i)}="${d.slice(i + 1).trim()}"`;
    })
    .join('');
}

/** Fit ECharts' SVG to a nonce CSP and make it an accessible, responsive image. */
export function cspSafeSvg(svg: string, label: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/ class="[^"]*"/g, '')
    .replace(/ style="([^"]*)"/g, (_m, s: string) => styleToAttributes(s))
    .replace(/^<svg /, `<svg class="chart" role="img" aria-label="${esc(label)}" `);
}

/** A line (or bar) chart over categories, as inline SVG. */
export async function chart(spec: ChartSpec): Promise<Html> {
  const key = JSON.stringify(spec);
  const kept = cache.get(key);
  if (kept) {
    cache.delete(key);
    cache.set(key, kept);
    return kept;
  }
  const svg = await draw(spec);
  cache.set(key, svg);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return svg;
}

async function draw(spec: ChartSpec): Promise<Html> {
  const echarts = await load();
  const width = spec.width ?? 640;
  const height = spec.height ?? 260;
  const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    c.setOption({
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: 'system-ui, sans-serif', color: '#1a1a1a' },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      legend: { top: 4, textStyle: { fontSize: 12 } },
      xAxis: { type: 'category', data: spec.categories, axisLabel: { color: '#333' } },
      yAxis: {
        type: 'value',
        ...(spec.percent ? { min: 0, max: 100, axisLabel: { formatter: '{value}%' } } : {}),
        axisLabel: { color: '#333', ...(spec.percent ? { formatter: '{value}%' } : {}) },
      },
      series: spec.series.map((s) => ({
        name: s.name,
        type: s.kind ?? 'line',
        data: s.data,
        connectNulls: false,
        ...(s.color ? { itemStyle: { color: s.color }, lineStyle: { color: s.color } } : {}),
        ...(s.dashed
          ? {
              symbol: 'none',
              lineStyle: { type: 'dashed', width: 1.5, ...(s.color ? { color: s.color } : {}) },
            }
          : {}),
      })),
    });
    return raw(cspSafeSvg(c.renderToSVGString(), spec.label));
  } finally {
    c.dispose();
  }
}
