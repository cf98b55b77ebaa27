import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics.ts';
import { MetricsRecorder } from '../../gateway/metrics/metrics-recorder.ts';
import { fakeSources } from './fake-sources.ts';

describe('metrics recorded before prom-client is loaded', () => {
  it('are kept and handed over when the real metrics attach', async () => {
    const recorder = new MetricsRecorder();
    expect(await recorder.scrape()).toBe('');
    recorder.countMessageIn('telemetry');
    recorder.countMessageIn('telemetry');
    recorder.observeBatch(3, 1.5);
    const real = new GatewayMetrics(fakeSources().sources, { defaultMetrics: false });
    recorder.attach(real);
    recorder.countMessageIn('telemetry');
    const text = await recorder.scrape();
    expect(text).toMatch(/linli_mqtt_messages_received_total\{channel="telemetry"\} 3/);
    expect(text).toMatch(/linli_writer_batch_size_count 1/);
    expect(recorder.contentType).toMatch(/^text\/plain/);
  });
});
