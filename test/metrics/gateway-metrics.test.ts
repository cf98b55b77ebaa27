import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics.ts';
import { channelOf, countingPublisher, redemptionOutcome } from '../../gateway/metrics/metric-hooks.ts';
import { fakeSources } from './fake-sources.ts';

/** The value of one sample line, e.g. `linli_devices{kind="vending_machine",status="ok"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GatewayMetrics', () => {
  const started: GatewayMetrics[] = [];
  const make = (defaultMetrics = false) => {
    const f = fakeSources();
    const m = new GatewayMetrics(f.sources, { defaultMetrics });
    m.start();
    started.push(m);
    return { ...f, m };
  };
  afterEach(() => {
    for (const m of started.splice(0)) m.stop();
  });

  it('documents every metric with HELP and TYPE lines, all named linli_', async () => {
    const { m } = make();
    const text = await m.scrape();
    const expected: [string, string][] = [
      ['linli_devices', 'gauge'],
      ['linli_mqtt_connections', 'gauge'],
      ['linli_mqtt_devices_connected', 'gauge'],
      ['linli_mqtt_pending_connections', 'gauge'],
      ['linli_mqtt_broker_events_total', 'counter'],
      ['linli_mqtt_messages_received_total', 'counter'],
      ['linli_mqtt_messages_sent_total', 'counter'],
      ['linli_redemptions_settled_total', 'counter'],
      ['linli_alert_transitions_total', 'counter'],
      ['linli_redemption_duration_seconds', 'histogram'],
      ['linli_writer_batch_size', 'histogram'],
      ['linli_writer_commit_seconds', 'histogram'],
      ['linli_writer_batches_total', 'counter'],
      ['linli_writer_units_total', 'counter'],
      ['linli_writer_max_batch_size', 'gauge'],
      ['linli_cloud_connected', 'gauge'],
      ['linli_outbox_backlog_events', 'gauge'],
      ['linli_outbox_backlog_bytes', 'gauge'],
      ['linli_outbox_oldest_event_age_seconds', 'gauge'],
      ['linli_outbox_dropped_events_total', 'counter'],
      ['linli_alerts_open', 'gauge'],
      ['linli_event_loop_lag_since_start_seconds', 'gauge'],
      ['linli_bus_events_total', 'counter'],
      ['linli_gateway_info', 'gauge'],
    ];
    for (const [name, type] of expected) {
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE'))) {
      expect(line.split(' ')[2]).toMatch(/^linli_/);
    }
  });

  it('counts devices by kind and status at scrape time, 0 for a kind or status nobody has', async () => {
    const { m, state } = make();
    let text = await m.scrape();
    expect(sample(text, 'linli_devices{kind="vending_machine",status="ok"}')).toBe(1);
    expect(sample(text, 'linli_devices{kind="vending_machine",status="fault"}')).toBe(1);
    expect(sample(text, 'linli_devices{kind="shop_scanner",status="offline"}')).toBe(1);
    expect(sample(text, 'linli_devices{kind="door_reader",status="ok"}')).toBe(0);
    state.devices.push({ kind: 'vending_machine', verdict: { status: 'ok' } });
    state.devices.splice(3, 1);
    text = await m.scrape();
    expect(sample(text, 'linli_devices{kind="vending_machine",status="ok"}')).toBe(2);
    expect(sample(text, 'linli_devices{kind="shop_scanner",status="offline"}')).toBe(0);
  });

  it('reads the broker once per scrape for its gauges and counters', async () => {
    const { m, state } = make();
    const text = await m.scrape();
    expect(state.stateReads).toBe(1);
    expect(sample(text, 'linli_mqtt_connections')).toBe(5);
    expect(sample(text, 'linli_mqtt_devices_connected')).toBe(3);
    expect(sample(text, 'linli_mqtt_pending_connections')).toBe(1);
    expect(sample(text, 'linli_mqtt_broker_events_total{event="auth_failure"}')).toBe(2);
    expect(sample(text, 'linli_mqtt_broker_events_total{event="refused_publish"}')).toBe(4);
    await new Promise((r) => setImmediate(r));
    state.broker = { ...state.broker, devicesConnected: 4, authFailures: 3 };
    const next = await m.scrape();
    expect(state.stateReads).toBe(2);
    expect(sample(next, 'linli_mqtt_devices_connected')).toBe(4);
    expect(sample(next, 'linli_mqtt_broker_events_total{event="auth_failure"}')).toBe(3);
  });

  it('counts messages in and out by channel, anything unknown as other', async () => {
    const { m } = make();
    m.countMessageIn('telemetry');
    m.countMessageIn('telemetry');
    m.countMessageIn(channelOf('linli/v1/dev/vm-01/up/request'));
    m.countMessageIn('../../etc');
    const published: string[] = [];
    const pub = countingPublisher(
      {
        publish: async (topic) => {
          published.push(topic);
        },
      },
      (c) => m.countMessageOut(c),
    );
    await pub.publish('linli/v1/dev/vm-01/down/response', '{}', { qos: 1, retain: false });
    await pub.publish('linli/v1/dev/vm-01/state', '{}', { qos: 1, retain: true });
    const text = await m.scrape();
    expect(published).toHaveLength(2);
    expect(sample(text, 'linli_mqtt_messages_received_total{channel="telemetry"}')).toBe(2);
    expect(sample(text, 'linli_mqtt_messages_received_total{channel="request"}')).toBe(1);
    expect(sample(text, 'linli_mqtt_messages_received_total{channel="other"}')).toBe(1);
    expect(sample(text, 'linli_mqtt_messages_sent_total{channel="response"}')).toBe(1);
    expect(sample(text, 'linli_mqtt_messages_sent_total{channel="state"}')).toBe(1);
  });

  it('counts settled redemptions from the bus, and stops listening at stop()', async () => {
    const { m, bus } = make();
    const settled = (state: string) =>
      bus.emit('redemption.settled', { redemptionId: 'r', deviceId: 'vm-01', state, payableFen: 300, savingFen: 0 });
    settled('captured');
    settled('captured');
    settled('reversed');
    let text = await m.scrape();
    expect(sample(text, 'linli_redemptions_settled_total{state="captured"}')).toBe(2);
    expect(sample(text, 'linli_redemptions_settled_total{state="reversed"}')).toBe(1);
    expect(sample(text, 'linli_bus_events_total{event="redemption.settled"}')).toBe(3);
    m.stop();
    settled('captured');
    text = await m.scrape();
    expect(sample(text, 'linli_redemptions_settled_total{state="captured"}')).toBe(2);
  });

  it('puts redemption latency into buckets from 1 ms to 1 s, by outcome', async () => {
    const { m } = make();
    m.observeRedemption(0.0008, 'approved');
    m.observeRedemption(0.004, 'approved');
    m.observeRedemption(0.3, 'declined');
    m.observeRedemption(2, redemptionOutcome({ status: 'error' }));
    const text = await m.scrape();
    const b = (le: string, outcome: string) =>
      sample(text, `linli_redemption_duration_seconds_bucket{le="${le}",outcome="${outcome}"}`);
    expect(b('0.001', 'approved')).toBe(1);
    expect(b('0.005', 'approved')).toBe(2);
    expect(b('0.25', 'declined')).toBe(0);
    expect(b('0.5', 'declined')).toBe(1);
    expect(b('1', 'error')).toBe(0);
    expect(b('+Inf', 'error')).toBe(1);
    expect(sample(text, 'linli_redemption_duration_seconds_count{outcome="approved"}')).toBe(2);
    expect(sample(text, 'linli_redemption_duration_seconds_sum{outcome="approved"}')).toBeCloseTo(0.0048, 6);
  });

  it('derives the outcome from the answer sent', () => {
    expect(redemptionOutcome({ status: 'ok', decision: 'approved' })).toBe('approved');
    expect(redemptionOutcome({ status: 'ok', decision: 'declined' })).toBe('declined');
    expect(redemptionOutcome({ status: 'ok', decision: 'none' })).toBe('ok');
    expect(redemptionOutcome({ status: 'error' })).toBe('error');
  });

  it('observes writer batches through the onBatch hook, and mirrors its running totals', async () => {
    const { m } = make();
    const onBatch = m.observeBatch;
    onBatch(1, 0.3);
    onBatch(40, 4);
    onBatch(300, 12);
    const text = await m.scrape();
    expect(sample(text, 'linli_writer_batch_size_bucket{le="1"}')).toBe(1);
    expect(sample(text, 'linli_writer_batch_size_bucket{le="64"}')).toBe(2);
    expect(sample(text, 'linli_writer_batch_size_bucket{le="512"}')).toBe(3);
    expect(sample(text, 'linli_writer_batch_size_sum')).toBe(341);
    expect(sample(text, 'linli_writer_commit_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(sample(text, 'linli_writer_commit_seconds_bucket{le="0.005"}')).toBe(2);
    expect(sample(text, 'linli_writer_commit_seconds_bucket{le="0.01"}')).toBe(2);
    expect(sample(text, 'linli_writer_commit_seconds_count')).toBe(3);
    expect(sample(text, 'linli_writer_batches_total')).toBe(10);
    expect(sample(text, 'linli_writer_units_total')).toBe(40);
    expect(sample(text, 'linli_writer_max_batch_size')).toBe(12);
  });

  it('reports the outbox backlog per stream, and nothing once the cloud link is gone', async () => {
    const { m, state } = make();
    let text = await m.scrape();
    expect(sample(text, 'linli_cloud_connected')).toBe(1);
    expect(sample(text, 'linli_outbox_backlog_events{stream="redemptions"}')).toBe(7);
    expect(sample(text, 'linli_outbox_backlog_bytes{stream="redemptions"}')).toBe(2048);
    expect(sample(text, 'linli_outbox_oldest_event_age_seconds{stream="redemptions"}')).toBe(30);
    expect(sample(text, 'linli_outbox_oldest_event_age_seconds{stream="telemetry"}')).toBeUndefined();
    expect(sample(text, 'linli_outbox_dropped_events_total{stream="telemetry"}')).toBe(3);
    await new Promise((r) => setImmediate(r));
    state.cloud = undefined;
    text = await m.scrape();
    expect(sample(text, 'linli_cloud_connected')).toBe(0);
    expect(text).not.toContain('linli_outbox_backlog_events{');
  });

  it('counts alert transitions from the bus by severity', async () => {
    const { m, bus } = make();
    const alert = {
      id: 1,
      key: 'DOOR_FORCED:vm-01',
      deviceId: 'vm-01',
      code: 'DOOR_FORCED',
      severity: 'critical' as const,
      message: 'forced',
      raisedAt: 0,
      lastSeenAt: 0,
      acknowledged: null,
      cleared: null,
    };
    bus.emit('alert.changed', { transition: 'raised', alert });
    bus.emit('alert.changed', { transition: 'cleared', alert });
    const text = await m.scrape();
    expect(sample(text, 'linli_alert_transitions_total{severity="critical",transition="raised"}')).toBe(1);
    expect(sample(text, 'linli_alert_transitions_total{severity="critical",transition="cleared"}')).toBe(1);
  });

  it('counts open alerts by severity and state, 0 for the rest', async () => {
    const { m } = make();
    const text = await m.scrape();
    const a = (severity: string, state: string) =>
      sample(text, `linli_alerts_open{severity="${severity}",state="${state}"}`);
    expect(a('critical', 'unacknowledged')).toBe(1);
    expect(a('warning', 'acknowledged')).toBe(1);
    expect(a('warning', 'unacknowledged')).toBe(1);
    expect(a('info', 'unacknowledged')).toBe(0);
    expect(a('critical', 'acknowledged')).toBe(0);
  });

  it('reports the event-loop figures in seconds and the gateway info', async () => {
    const { m } = make();
    const text = await m.scrape();
    expect(sample(text, 'linli_event_loop_lag_since_start_seconds{quantile="0.99"}')).toBe(0.025);
    expect(sample(text, 'linli_event_loop_lag_since_start_seconds{quantile="1"}')).toBe(0.12);
    expect(sample(text, 'linli_gateway_info{gateway="gw-test",boot_id="abc123",protocol="1.3"}')).toBe(1);
  });

  it("adds prom-client's process metrics under linli_, in its own registry: two gateways never clash", async () => {
    const one = make(true).m;
    const two = make(true).m;
    one.start();
    const text = await two.scrape();
    expect(text).toContain('# TYPE linli_process_resident_memory_bytes gauge');
    expect(text).toContain('# TYPE linli_nodejs_eventloop_lag_p99_seconds gauge');
    expect(text).toContain('# TYPE linli_process_cpu_seconds_total counter');
    one.countMessageIn('birth');
    expect(await two.scrape()).not.toContain('channel="birth"');
    expect(two.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('leaves out what the gateway does not have (no cloud, no alerts yet)', async () => {
    const { sources } = fakeSources();
    const m = new GatewayMetrics({ monitor: sources.monitor, broker: sources.broker }, { defaultMetrics: false });
    const text = await m.scrape();
    expect(text).toContain('# TYPE linli_devices gauge');
    expect(text).not.toContain('linli_outbox_');
    expect(text).not.toContain('linli_alerts_open');
  });
});
