import { startLocalSystem } from '@laas/local';
import { runLocalPlateau } from '@laas/experiment';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
const ticks = (pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; } catch { return 0; } };
const procs = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
const cmd = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; } };
const hostCpu = () => { const c = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number); return { idle: c[3] + c[4], total: c.reduce((a, b) => a + b, 0) }; };
const plan = JSON.parse(process.argv[2] ?? '[[1,50],[5,50],[5,100]]');
const sys = await startLocalSystem({ replicas: 1, cpuMillis: 250, mongoDb: 'diag' });
const ferret = procs().find((p) => cmd(p).includes('ferretdb') && cmd(p).includes(new URL(sys.mongoUrl).port));
for (const [n, rate] of plan) {
  await sys.scaleTarget('images').scale(n);
  const reps = sys.pool('images').replicas();
  const before = { ferret: ticks(ferret), reps: reps.map((r) => ticks(r.process.pid)), thr: reps.map((r) => readFileSync(`${r.process.cgroup.cpuDir}/cpu.stat`, 'utf8')), host: hostCpu() };
  const k6 = {};
  const iv = setInterval(() => { for (const p of procs()) if (cmd(p).includes('tools/bin/k6')) k6[p] = ticks(p); }, 300);
  const res = await runLocalPlateau({ baseUrl: sys.url, rate, durationSec: 10 });
  clearInterval(iv);
  const host = hostCpu();
  const hostBusy = (1 - (host.idle - before.host.idle) / (host.total - before.host.total)) * os.cpus().length;
  const stat = (t) => Object.fromEntries(t.trim().split('\n').map((l) => l.split(' ')));
  const thr = reps.map((r, i) => { const a = stat(before.thr[i]); const b = stat(readFileSync(`${r.process.cgroup.cpuDir}/cpu.stat`, 'utf8')); return `${b.nr_throttled - a.nr_throttled}/${b.nr_periods - a.nr_periods}`; });
  const repCpu = reps.map((r, i) => (ticks(r.process.pid) - before.reps[i]) / 10);
  const fcpu = (ticks(ferret) - before.ferret) / 10;
  console.log(JSON.stringify({ replicas: n, rate, passed: res.passed, p99: res.p99Ms.toFixed(0), achieved: res.achievedRps.toFixed(1), replicaCpu: repCpu.map((v) => v.toFixed(2)), throttled: thr, ferretCpu: fcpu.toFixed(2), k6Cpu: (Object.values(k6).reduce((a, b) => a + b, 0) / 10).toFixed(2), hostBusyCores: hostBusy.toFixed(2), load1: os.loadavg()[0].toFixed(1), msPerReqReplica: (repCpu.reduce((a, b) => a + b, 0) * 10 * 1000 / res.requests).toFixed(2), msPerReqFerret: (fcpu * 10 * 1000 / res.requests).toFixed(2) }));
  await new Promise((r) => setTimeout(r, 3000));
}
await sys.stop();
