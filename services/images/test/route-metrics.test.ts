import { createHttpMetrics } from '@laas/shared';
import { SeriesRecorder } from '../src/route-metrics.js';

/** The same observations through the recorder and through prom-client's own API. */
async function bothWays(seconds: number[]): Promise<{ recorded: string; observed: string }> {
  const recordedMetrics = createHttpMetrics('images');
  const recorder = new SeriesRecorder(recordedMetrics, 'GET', '/random', 200);
  for (const s of seconds) recorder.record(s);
  const observedMetrics = createHttpMetrics('images');
  // The recorder creates its series at zero; so does this, through the public API.
  observedMetrics.requests.inc({ method: 'GET', route: '/random', status_code: '200' }, 0);
  observedMetrics.duration.zero({ method: 'GET', route: '/random', status_code: '200' });
  for (const s of seconds) observedMetrics.observe('GET', '/random', 200, s);
  return {
    recorded: await recordedMetrics.registry.metrics(),
    observed: await observedMetrics.registry.metrics(),
  };
}

describe('SeriesRecorder', () => {
  test.each([
    ['no request yet: the series reads 0', []],
    ['one fast request', [0.0004]],
    ['requests on bucket bounds and between them', [0.005, 0.0051, 0.3, 0.30001, 1, 2.5]],
    ['a request slower than the largest bound', [42]],
    ['a mix of 1,000', Array.from({ length: 1000 }, (_, i) => (i % 97) / 300)],
  ])('%s: /metrics reads exactly as with prom-client’s own observe', async (_label, seconds) => {
    const { recorded, observed } = await bothWays(seconds);
    expect(recorded).toBe(observed);
  });

  test('after the registry is reset it keeps counting, from zero', async () => {
    const metrics = createHttpMetrics('images');
    const recorder = new SeriesRecorder(metrics, 'GET', '/random', 200);
    recorder.record(0.01);
    metrics.registry.resetMetrics();
    recorder.record(0.01);
    recorder.record(0.02);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/random"[^}]*\} 2\n/);
  });
});
