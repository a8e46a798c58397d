// The simulated service: replicas behind a least-connections load balancer (nginx least_conn,
// like the local system and an ingress), each a Node.js process in a cgroup with a CFS quota.
//
// A replica is one FIFO CPU server (Node runs JavaScript on one thread) that may run at most
// `quotaMs` in every `periodMs` (the cgroup's CFS quota: 25 ms per 100 ms at 250m), then waits
// throttled until the next period: that is where the measured tail comes from (p50 2-3 ms but
// p99 70-140 ms at 60-85 % of the quota). After its CPU work a request waits `waitMs` off-CPU
// (the database read), overlapping other requests' CPU work.
//
// Because service is FIFO, a request's completion time is known when it arrives (Lindley's
// recursion walked through the quota periods), so the simulation needs no event per request:
// each replica keeps a queue of completion times, monotonic, popped as time passes, which gives
// both its in-flight count (for routing) and its counters (for scrapes).
import type { Random } from './rng.js';
import { exponential, logNormal } from './rng.js';
import type { ServiceModel } from './model.js';
import { BUCKETS } from './promql.js';

export type ReplicaPhase = 'starting' | 'ready' | 'draining' | 'gone';

/** The cumulative series one replica exports (prom-client counters and histogram). */
export interface Counters {
  requests: number;
  /** Cumulative bucket counts, one per BUCKETS bound, then +Inf. */
  buckets: Float64Array;
  /** process_cpu_seconds_total. */
  cpuSeconds: number;
}

export class Replica {
  phase: ReplicaPhase = 'starting';
  readyAt: number;
  goneAt: number | null = null;
  readonly counters: Counters = { requests: 0, buckets: new Float64Array(BUCKETS.length + 1), cpuSeconds: 0 };
  /** CPU work queue: when the CPU is free, and quota used in that period. */
  private cpuFreeAt = 0;
  private usedInPeriod = 0;
  // Requests not yet completed (completion time, bucket index, CPU seconds), oldest first, in a
  // ring buffer (no garbage per request: a run routes hundreds of thousands).
  private doneAt = new Float64Array(512);
  private bucketOf = new Uint8Array(512);
  private cpuOf = new Float64Array(512);
  private head = 0;
  private size = 0;
  /** Idle CPU (cores) counted while the replica serves; and up to when it was counted. */
  private idleCores = 0;
  private idleCountedTo: number;

  constructor(
    readonly id: number,
    readonly createdAt: number,
    startup: number,
    idleCpuMsPerSecond = 0,
  ) {
    this.readyAt = createdAt + startup;
    this.idleCores = idleCpuMsPerSecond / 1000;
    this.idleCountedTo = createdAt;
  }

  get inFlight(): number {
    return this.size;
  }

  /** Moves every request completed by `now` into the counters, and the idle CPU since the last call. */
  advance(now: number): void {
    const c = this.counters;
    if (now > this.idleCountedTo) {
      // A starting replica has no series yet: its boot CPU is not counted.
      if (this.phase === 'ready' || this.phase === 'draining')
        c.cpuSeconds += this.idleCores * (now - this.idleCountedTo);
      this.idleCountedTo = now;
    }
    const mask = this.doneAt.length - 1;
    while (this.size > 0 && this.doneAt[this.head]! <= now) {
      const b = this.bucketOf[this.head]!;
      c.requests += 1;
      for (let i = b; i < c.buckets.length; i++) c.buckets[i]! += 1;
      c.cpuSeconds += this.cpuOf[this.head]!;
      this.head = (this.head + 1) & mask;
      this.size--;
    }
  }

  private push(done: number, bucket: number, cpu: number): void {
    if (this.size === this.doneAt.length) {
      // Grow (power of two): copy oldest first.
      const cap = this.doneAt.length * 2;
      const d = new Float64Array(cap);
      const b = new Uint8Array(cap);
      const c = new Float64Array(cap);
      for (let i = 0; i < this.size; i++) {
        const j = (this.head + i) & (this.doneAt.length - 1);
        d[i] = this.doneAt[j]!;
        b[i] = this.bucketOf[j]!;
        c[i] = this.cpuOf[j]!;
      }
      this.doneAt = d;
      this.bucketOf = b;
      this.cpuOf = c;
      this.head = 0;
    }
    const k = (this.head + this.size) & (this.doneAt.length - 1);
    this.doneAt[k] = done;
    this.bucketOf[k] = bucket;
    this.cpuOf[k] = cpu;
    this.size++;
  }

  /**
   * Accepts a request arriving at `now` (seconds) needing `cpuMs` of CPU and `waitSeconds`
   * off-CPU; returns its latency in seconds. Walks the quota periods: 10 ms of work that starts
   * 5 ms before a period ends, with 2 ms of quota left, runs 2 ms, is throttled for the 3 ms to
   * the period's end, then runs its last 8 ms: done 13 ms after it started.
   */
  serve(
    now: number,
    cpuMs: number,
    waitSeconds: number,
    periodSeconds: number,
    quotaSeconds: number,
  ): number {
    const P = periodSeconds;
    const Q = quotaSeconds;
    // Periods by integer index: 0.7 / 0.1 is 6.999..., so floor(t / P) alone can loop forever.
    const periodOf = (x: number): number => Math.floor(x / P + 1e-9);
    let t = Math.max(now, this.cpuFreeAt);
    let k = periodOf(t);
    let used = k === periodOf(this.cpuFreeAt) ? this.usedInPeriod : 0;
    let work = cpuMs / 1000;
    for (;;) {
      const periodEnd = (k + 1) * P;
      const can = Math.min(Q - used, periodEnd - t);
      if (work <= can) {
        t += work;
        used += work;
        break;
      }
      if (can > 0) work -= can;
      k += 1;
      t = k * P;
      used = 0;
    }
    this.cpuFreeAt = t;
    this.usedInPeriod = used;
    const done = t + waitSeconds;
    const latency = done - now;
    this.push(done, bucketIndex(latency), cpuMs / 1000);
    return latency;
  }
}

/** Index of the first bucket whose bound holds `seconds` (BUCKETS.length for +Inf only). */
export function bucketIndex(seconds: number): number {
  for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) return i;
  return BUCKETS.length;
}

/** What happened to one request. `failed`: 503 (no ready replica or too many in flight) or timeout. */
export interface Outcome {
  latency: number;
  failed: boolean;
}

export class Cluster {
  readonly replicas: Replica[] = [];
  private nextId = 0;
  private rr = 0;
  /** Replica-seconds accumulated by replicas already gone. */
  private goneSeconds = 0;
  /** Multiplies each request's CPU (the "request-cost change" trace sets 2). */
  costFactor = 1;
  /** Extra off-CPU seconds per request (the "downstream slowdown" trace). */
  extraWait = 0;
  /** Fraction of the quota the node grants (the "starved-step" trace sets 0.5). */
  cpuGrant = 1;

  constructor(
    private readonly model: ServiceModel,
    private readonly random: Random,
    initial: number,
    now: number,
  ) {
    for (let i = 0; i < initial; i++) {
      const r = new Replica(this.nextId++, now, 0, model.idleCpuMsPerSecond);
      r.phase = 'ready';
      this.replicas.push(r);
    }
  }

  /** Replicas asked for: starting and ready (draining ones are on their way out). */
  get desired(): number {
    let n = 0;
    for (const r of this.replicas) if (r.phase === 'starting' || r.phase === 'ready') n++;
    return n;
  }

  get ready(): number {
    let n = 0;
    for (const r of this.replicas) if (r.phase === 'ready') n++;
    return n;
  }

  /** Alive replicas cost: starting, ready and draining ones. */
  replicaSeconds(now: number): number {
    let s = this.goneSeconds;
    for (const r of this.replicas) if (r.phase !== 'gone') s += now - r.createdAt;
    return s;
  }

  /** Advances every replica's counters to `now`; finishes drains; marks starting ones ready. */
  advance(now: number): void {
    for (const r of this.replicas) {
      if (r.phase === 'gone') continue;
      r.advance(now);
      if (r.phase === 'starting' && r.readyAt <= now) r.phase = 'ready';
      if (r.phase === 'draining' && r.inFlight === 0) {
        r.phase = 'gone';
        r.goneAt = now;
        this.goneSeconds += now - r.createdAt;
      }
    }
    // Forget replicas gone long ago (their series left every query window).
    if (this.replicas.length > 64) {
      const keep = this.replicas.filter((r) => r.phase !== 'gone' || now - (r.goneAt ?? now) < 600);
      this.replicas.splice(0, this.replicas.length, ...keep);
    }
  }

  /** The next time a starting replica becomes ready (for the event loop), or Infinity. */
  nextReadyAt(): number {
    let t = Infinity;
    for (const r of this.replicas) if (r.phase === 'starting' && r.readyAt < t) t = r.readyAt;
    return t;
  }

  /**
   * Sets the replica count as a ReplicaSet does: up creates starting replicas; down removes
   * starting ones first (newest first), then ready ones (newest first), which drain: no new
   * requests, in-flight ones finish.
   */
  scale(to: number, now: number): void {
    let n = this.desired;
    while (n < to) {
      this.replicas.push(
        new Replica(
          this.nextId++,
          now,
          this.model.startupSeconds(this.random),
          this.model.idleCpuMsPerSecond,
        ),
      );
      n++;
    }
    if (n <= to) return;
    const victims = this.replicas
      .filter((r) => r.phase === 'starting' || r.phase === 'ready')
      .sort((a, b) => (a.phase === b.phase ? b.createdAt - a.createdAt : a.phase === 'starting' ? -1 : 1));
    for (const r of victims.slice(0, n - to)) {
      if (r.phase === 'starting') {
        r.phase = 'gone';
        r.goneAt = now;
        this.goneSeconds += now - r.createdAt;
      } else r.phase = 'draining';
    }
    this.advance(now);
  }

  /** One request at `now`: least in-flight among ready replicas, ties round-robin (nginx least_conn). */
  request(now: number): Outcome {
    const rs = this.replicas;
    let best: Replica | null = null;
    const n = rs.length;
    for (let k = 0; k < n; k++) {
      const r = rs[(this.rr + k) % n]!;
      if (r.phase !== 'ready') continue;
      r.advance(now);
      if (best === null || r.inFlight < best.inFlight) best = r;
    }
    this.rr = (this.rr + 1) % Math.max(1, n);
    if (best === null || best.inFlight >= this.model.maxInFlight) {
      // nginx answers 502/503 at once; a replica over its limit is not counted by its histogram.
      return { latency: 0, failed: true };
    }
    const m = this.model;
    let cpu =
      m.cpuDistribution === 'exponential'
        ? exponential(this.random, m.cpuMeanMs)
        : logNormal(this.random, m.cpuMeanMs, m.cpuCv);
    if (m.burstProbability > 0 && this.random() < m.burstProbability)
      cpu += logNormal(this.random, m.burstMs, 0.5);
    cpu *= this.costFactor;
    // What requests may use of each period: the quota the node grants, less the idle CPU, which
    // runs first. 100m granted in full with 5 ms/s idle: 10 - 0.5 = 9.5 ms per 100 ms; granted
    // half: 5 - 0.5 = 4.5. Never under a tenth of the quota (the idle work yields to requests).
    const period = m.periodMs / 1000;
    const quota = m.quotaMs / 1000;
    const forRequests = Math.max(
      0.1 * quota,
      quota * this.cpuGrant - ((m.idleCpuMsPerSecond ?? 0) / 1000) * period,
    );
    const latency = best.serve(now, cpu, m.waitMs / 1000 + this.extraWait, period, forRequests);
    return { latency, failed: latency > this.model.timeoutMs / 1000 };
  }
}
