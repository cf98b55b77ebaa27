import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics.ts';
import { fakeSources } from './fake-sources.ts';

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../gateway/metrics/grafana-dashboard.json', import.meta.url), 'utf8'),
) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: { query: unknown; definition?: string }[] };
};

const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const exprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr }))),
  ...dashboard.templating.list.map((v) => ({ panel: 'variables', expr: v.definition ?? JSON.stringify(v.query) })),
];

/** Every series name the registry exposes: histograms as their _bucket, _sum and _count. */
async function exposedNames(): Promise<Set<string>> {
  const m = new GatewayMetrics(fakeSources().sources);
  m.start();
  const json = await m.registry.getMetricsAsJSON();
  m.stop();
  return new Set(
    json.flatMap((x) => {
      const histogram = String(x.type) === 'histogram';
      return histogram ? [`${x.name}_bucket`, `${x.name}_sum`, `${x.name}_count`] : [x.name];
    }),
  );
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's datasource placeholder, filled in at import
const DS_INPUT = '${DS_PROMETHEUS}';

describe('Grafana dashboard', () => {
  it('is an importable dashboard on a datasource input', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('linli-gateway');
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    );
    for (const p of panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid, p.title).toBe(DS_INPUT);
    const ids = dashboard.panels.map((p) => (p as { id?: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only metrics the gateway exposes, so it can never drift from the code', async () => {
    const names = await exposedNames();
    expect(exprs.length).toBeGreaterThan(20);
    for (const { panel, expr } of exprs) {
      const used = expr.match(/\blinli_[a-z0-9_]+/g) ?? [];
      expect(used.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of used) expect(names.has(name), `${panel}: ${name} is not exposed`).toBe(true);
    }
  });

  it('shows every metric the gateway exposes, apart from a few kept for ad-hoc queries', async () => {
    const used = new Set(exprs.flatMap(({ expr }) => expr.match(/\blinli_[a-z0-9_]+/g) ?? []));
    const own = [...(await exposedNames())].filter((n) => !/^linli_(nodejs|process)_/.test(n));
    const unused = own.filter((n) => !used.has(n) && !used.has(n.replace(/_(bucket|sum|count)$/, '_bucket')));
    expect(unused).toEqual([]);
  });

  it('takes p50 and p99 latency from the histogram', () => {
    const latency = exprs.filter((e) => e.expr.includes('linli_redemption_duration_seconds_bucket'));
    expect(latency.some((e) => e.expr.startsWith('histogram_quantile(0.5,'))).toBe(true);
    expect(latency.some((e) => e.expr.startsWith('histogram_quantile(0.99,'))).toBe(true);
  });
});
