// The latency bins behind the router's p95 and the timeline's p99: each bin's upper bound is
// about 9 % above its lower one (30,000^(1/120)), so a quantile reads at most that high.
import { BINS, binOf, binQuantile } from '../sim-bins.js';

describe('latency bins', () => {
  test.each([
    { label: '1 ms and below fall in the first bin', seconds: 0.0005, bin: 0 },
    { label: '300 ms falls in bin 67', seconds: 0.3, bin: 67 },
    { label: 'a failed request, counted as 60 s, falls in the last bin', seconds: 60, bin: BINS - 1 },
  ])('$label', ({ seconds, bin }) => {
    expect(binOf(seconds)).toBe(bin);
  });

  test('a quantile reads the upper bound of its bin: 290 ms reads 290.0 ms, 300 ms reads 316 ms', () => {
    const hist = new Float64Array(BINS);
    hist[binOf(0.29)] = 99;
    hist[binOf(0.3)] = 1;
    expect(binQuantile(hist, 0.99)).toBeCloseTo(0.29, 3);
    expect(binQuantile(hist, 1)).toBeCloseTo(0.316, 3);
  });

  test('an empty histogram has no quantile', () => {
    expect(binQuantile(new Float64Array(BINS), 0.99)).toBeNull();
  });
});
