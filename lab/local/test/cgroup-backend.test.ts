import {
  chooseCgroupBackend,
  cpuMaxLine,
  parseCpuMax,
  parseCpuStat,
  parseMountinfo,
  parseProcCgroup,
  v2Base,
} from '@laas/local';

// Mount tables as the kernel writes them (lines trimmed to the cgroup mounts and the root).
const ROOT = '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw';
const V1_HYBRID = [
  ROOT,
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const V1_COMOUNTED = [
  ROOT,
  '27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:8 - cgroup cgroup rw,cpu,cpuacct',
  '28 25 0:25 / /sys/fs/cgroup/memory rw,nosuid shared:9 - cgroup cgroup rw,memory',
].join('\n');
const V2_SYSTEMD = [
  ROOT,
  '26 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 rw,nsdelegate',
].join('\n');
const V2_CGROUPNS_BIND = [
  ROOT,
  '600 590 0:23 /docker/abc /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw,nsdelegate',
].join('\n');
const V2_SPACE = [ROOT, '26 21 0:23 / /mnt/cg\\040two rw - cgroup2 none rw'].join('\n');

describe('choosing the cgroup back end from /proc/self/mountinfo and /proc/self/cgroup', () => {
  test.each([
    {
      what: 'a hybrid host (v1 controllers, an empty cgroup2 at unified/) uses v1, one folder per controller',
      mountinfo: V1_HYBRID,
      cgroup: '4:memory:/a\n1:cpu:/\n0::/\n',
      layout: {
        version: 'v1',
        dirs: {
          cpu: '/sys/fs/cgroup/cpu',
          memory: '/sys/fs/cgroup/memory',
          cpuacct: '/sys/fs/cgroup/cpuacct',
        },
      },
    },
    {
      what: 'cpu and cpuacct mounted together share one folder',
      mountinfo: V1_COMOUNTED,
      cgroup: '2:cpu,cpuacct:/\n',
      layout: {
        version: 'v1',
        dirs: {
          cpu: '/sys/fs/cgroup/cpu,cpuacct',
          memory: '/sys/fs/cgroup/memory',
          cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
        },
      },
    },
    {
      what: 'a cgroup2-only host uses v2 with the process own cgroup',
      mountinfo: V2_SYSTEMD,
      cgroup: '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n',
      layout: {
        version: 'v2',
        mount: '/sys/fs/cgroup',
        self: '/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope',
      },
    },
    {
      what: 'a container whose mount starts inside the host tree sees its cgroup relative to that',
      mountinfo: V2_CGROUPNS_BIND,
      cgroup: '0::/docker/abc/init\n',
      layout: { version: 'v2', mount: '/sys/fs/cgroup', self: '/init' },
    },
    {
      what: 'an escaped mount point (\\040 is a space) is decoded',
      mountinfo: V2_SPACE,
      cgroup: '0::/\n',
      layout: { version: 'v2', mount: '/mnt/cg two', self: '/' },
    },
    {
      what: 'no cgroup mounted at all is no back end, with the reason',
      mountinfo: ROOT,
      cgroup: '',
      layout: {
        version: 'none',
        reason: 'no cgroup v1 cpu controller and no cgroup2 file system is mounted',
      },
    },
  ])('$what', ({ mountinfo, cgroup, layout }) => {
    expect(chooseCgroupBackend(mountinfo, cgroup)).toEqual(layout);
  });

  test.each([
    {
      what: 'v1 controllers',
      mountinfo: V1_HYBRID,
      layout: { version: 'v1', dirs: { cpu: '/x/cpu', memory: '/x/memory', cpuacct: '/x/cpuacct' } },
    },
    { what: 'the v2 hierarchy', mountinfo: V2_SYSTEMD, layout: { version: 'v2', mount: '/x', self: '/' } },
  ])('LAAS_CGROUP_ROOT=/x replaces the mount point of $what', ({ mountinfo, layout }) => {
    expect(chooseCgroupBackend(mountinfo, '0::/\n', '/x')).toEqual(layout);
  });

  test('a mountinfo line is read field by field, the optional fields ending at "-"', () => {
    expect(
      parseMountinfo('36 25 0:30 / /sys/fs/cgroup/cpu rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu'),
    ).toEqual([
      { root: '/', mountPoint: '/sys/fs/cgroup/cpu', fsType: 'cgroup', superOptions: ['rw', 'cpu'] },
    ]);
  });

  test('/proc/<pid>/cgroup maps each controller to its path, v2 under the empty name', () => {
    expect(parseProcCgroup('4:memory:/a\n2:cpu,cpuacct:/b\n0::/c.scope\n')).toEqual({
      memory: '/a',
      cpu: '/b',
      cpuacct: '/b',
      '': '/c.scope',
    });
  });
});

describe('where the v2 groups go', () => {
  const mount = '/sys/fs/cgroup';
  const scope = '/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope';
  test.each([
    { who: 'root, wherever it runs', uid: 0, self: scope, base: '/sys/fs/cgroup' },
    { who: 'a user, in their delegated scope', uid: 1000, self: scope, base: `/sys/fs/cgroup${scope}` },
    {
      who: 'a user whose runner already moved to the laas-runner leaf, in that same scope',
      uid: 1000,
      self: `${scope}/laas-runner`,
      base: `/sys/fs/cgroup${scope}`,
    },
    { who: 'a user at the root of a cgroup namespace', uid: 1000, self: '/', base: '/sys/fs/cgroup' },
  ])('for $who: $base', ({ uid, self, base }) => {
    expect(v2Base({ mount, self }, uid)).toBe(base);
  });
});

describe('reading cpu.stat and cpu.max', () => {
  test.each([
    {
      what: 'v2 with the cpu controller: usage, periods, throttled periods and time in us',
      text: 'usage_usec 30123\nuser_usec 29000\nsystem_usec 1123\nnr_periods 30\nnr_throttled 27\nthrottled_usec 2612000\n',
      stat: { usageUsec: 30123, periods: 30, throttledPeriods: 27, throttledUs: 2_612_000 },
    },
    {
      what: 'v2 without the cpu controller: usage only, counters 0',
      text: 'usage_usec 512\nuser_usec 300\nsystem_usec 212\n',
      stat: { usageUsec: 512, periods: 0, throttledPeriods: 0, throttledUs: 0 },
    },
    {
      what: 'v1: throttled_time in ns becomes us, no usage (cpuacct counts that)',
      text: 'nr_periods 15\nnr_throttled 11\nthrottled_time 1100000000\n',
      stat: { usageUsec: undefined, periods: 15, throttledPeriods: 11, throttledUs: 1_100_000 },
    },
  ])('$what', ({ text, stat }) => {
    expect(parseCpuStat(text)).toEqual(stat);
  });

  test.each([
    {
      text: '25000 100000\n',
      means: 'a quota of 25000 us per 100000 us',
      max: { quotaUs: 25_000, periodUs: 100_000 },
    },
    { text: 'max 100000\n', means: 'no quota', max: { quotaUs: undefined, periodUs: 100_000 } },
    {
      text: '50000',
      means: 'a quota of 50000 us per the default 100000 us',
      max: { quotaUs: 50_000, periodUs: 100_000 },
    },
  ])('reads a cpu.max holding $means', ({ text, max }) => {
    expect(parseCpuMax(text)).toEqual(max);
  });

  test('a cpu.max that is not one is refused with its text', () => {
    expect(() => parseCpuMax('lots')).toThrow('not a cpu.max value: "lots"');
  });

  test.each([
    { cpu: 100, line: '10000 100000' },
    { cpu: 250, line: '25000 100000' },
    { cpu: 1500, line: '150000 100000' },
  ])('a limit of $cpu millicores is written to cpu.max as "$line"', ({ cpu, line }) => {
    expect(cpuMaxLine(cpu)).toBe(line);
  });
});
