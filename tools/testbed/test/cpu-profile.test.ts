import { areaOf, profileReport, summariseCpuProfile, type CpuProfile } from '../src/index.js';

describe('reading a CPU profile', () => {
  test.each([
    ['(idle)', '', '(idle)'],
    ['(garbage collector)', '', '(garbage collector)'],
    ['writev', '', '(native: V8 builtins, JSON, syscalls)'],
    ['emit', 'node:events', 'node internals (http, net, streams)'],
    ['parseHeaders', 'file:///repo/node_modules/undici/lib/core/util.js', 'npm: undici'],
    ['observe', 'file:///repo/node_modules/@scope/pkg/index.js', 'npm: @scope/pkg'],
    ['serve', 'file:///repo/services/gateway/dist/pipeline.js', '@laas/gateway'],
  ])('%s at "%s" counts under %s', (functionName, url, area) => {
    expect(areaOf(functionName, url)).toBe(area);
  });

  test('self time is summed per function and per area, idle left out of the busy time', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        {
          id: 2,
          callFrame: {
            functionName: 'serve',
            url: 'file:///r/services/gateway/dist/pipeline.js',
            lineNumber: 9,
          },
        },
        { id: 3, callFrame: { functionName: 'writev', url: '', lineNumber: -1 } },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [500, 100, 300, 100, 500],
    };
    const summary = summariseCpuProfile(profile);
    expect(summary.totalUs).toBe(1500);
    expect(summary.busyUs).toBe(500);
    expect(summary.functions.get('serve services/gateway/dist/pipeline.js:10')).toBe(200);
    expect(summary.areas.get('(native: V8 builtins, JSON, syscalls)')).toBe(300);
    expect(profileReport(summary, 1)).toEqual([
      'self time by area (% of busy time):',
      '   60.0%  (native: V8 builtins, JSON, syscalls)',
      '   40.0%  @laas/gateway',
      'top 1 functions by self time (% of busy time):',
      '   60.0%  writev ',
    ]);
  });
});
