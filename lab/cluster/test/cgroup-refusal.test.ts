import { labCgroupProblem } from '../src/host/cgroups.js';

const ROOT = '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw';

describe('whether the lab cluster can run on the mounted cgroups', () => {
  test.each([
    {
      what: 'a v1 host with a cpu hierarchy: it can',
      mountinfo: `${ROOT}\n32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw`,
      problem: undefined,
    },
    {
      what: 'cpu and cpuacct mounted together: it can',
      mountinfo: `${ROOT}\n27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:8 - cgroup cgroup rw,cpu,cpuacct`,
      problem: undefined,
    },
    {
      what: 'cgroup v2 alone: it refuses, naming v2 and minikube',
      mountinfo: `${ROOT}\n26 21 0:23 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate`,
      problem: /needs cgroup v1 .* mounts cgroup v2 alone\. Run the chart on minikube/,
    },
    {
      what: 'no cgroup at all: it refuses, saying so',
      mountinfo: ROOT,
      problem: /mounts no cgroup file system/,
    },
  ])('$what', ({ mountinfo, problem }) => {
    const answer = labCgroupProblem(mountinfo);
    if (problem === undefined) expect(answer).toBeUndefined();
    else expect(answer).toMatch(problem);
  });
});
