// Leader election on a coordination.k8s.io/v1 Lease, the way client-go does it:
//  - the leader renews `renewTime` every retry period (2 s); a replace carries the
//    resourceVersion it read, so two candidates can never both win (one gets 409);
//  - a candidate takes over only when the Lease record has not changed for leaseDuration (15 s)
//    *as observed on its own clock* (no trust in another machine's timestamps);
//  - a leader that cannot renew for leaseDuration steps down before anyone can take over;
//  - stop() releases the Lease (holder cleared, 1 s duration) so a successor starts at once.
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { statusOf } from '../target/kube-errors.js';
import type { Timers } from './queue.js';
import { realTimers } from './queue.js';
import type { Logger } from './reconciler.js';

export interface LeaderElectorOptions {
  coordination: CoordinationV1Api;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  clock: () => number;
  timers?: Timers;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

/**
 * MicroTime with 6 fractional digits: the API server parses RFC3339Micro strictly, and
 * client-node 1.4 would send a Date as toISOString() with 3. Sent as a string on purpose.
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leader = false;
  private stopped = true;
  private timer: unknown;
  private observed: { record: string; at: number } | null = null;
  private lastRenew = 0;
  private readonly duration: number;
  private readonly retry: number;

  constructor(private readonly o: LeaderElectorOptions) {
    this.duration = o.leaseDurationSeconds ?? 15;
    this.retry = o.retryPeriodMs ?? 2000;
  }

  isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  /** `release: false` leaves the Lease to expire, as a crashed process would. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    (this.o.timers ?? realTimers).clearTimeout(this.timer);
    if (this.leader) {
      this.setLeader(false);
      if (opts.release === false) return;
      await this.release().catch((error: unknown) =>
        this.o.log.warn({ error: String(error) }, 'releasing the lease failed'),
      );
    }
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (error) {
      this.o.log.warn({ error: String(error) }, 'leader election: API call failed');
    }
    // A leader that has not renewed for a whole lease duration must assume someone else leads.
    if (this.leader && this.o.clock() - this.lastRenew > this.duration * 1000) this.setLeader(false);
    if (!this.stopped)
      this.timer = (this.o.timers ?? realTimers).setTimeout(() => void this.loop(), this.retry);
  }

  private setLeader(v: boolean): void {
    if (v === this.leader || (v && this.stopped)) return;
    this.leader = v;
    this.o.log.info(
      { identity: this.o.identity, lease: `${this.o.namespace}/${this.o.name}` },
      v ? 'became leader' : 'stopped leading',
    );
    if (v) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private spec(now: number, acquire: string | undefined, transitions: number): V1Lease['spec'] {
    // Strings where client-node types say Date: see microTime. The cast is the narrowest available.
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.duration,
      acquireTime: (acquire ?? microTime(now)) as unknown as Date,
      renewTime: microTime(now) as unknown as Date,
      leaseTransitions: transitions,
    };
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { coordination: api, namespace, name } = this.o;
    const now = this.o.clock();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      try {
        await api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: this.spec(now, undefined, 0) },
        });
        this.lastRenew = now;
        this.setLeader(true);
      } catch (createError) {
        if (statusOf(createError) !== 409) throw createError;
      }
      return;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, String(spec.renewTime), spec.leaseDurationSeconds]);
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const mine = spec.holderIdentity === this.o.identity;
    const durationMs = (spec.leaseDurationSeconds ?? this.duration) * 1000;
    const expired = !spec.holderIdentity || now - this.observed.at > durationMs;
    if (!mine && !expired) {
      this.setLeader(false);
      return;
    }
    const acquire = mine ? (spec.acquireTime as unknown as string | undefined) : undefined;
    const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
    try {
      // metadata carries resourceVersion: a concurrent writer makes this fail with 409.
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { metadata: lease.metadata, spec: this.spec(now, acquire, transitions) },
      });
      this.lastRenew = now;
      this.setLeader(true);
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      this.setLeader(false);
    }
  }

  private async release(): Promise<void> {
    const { coordination: api, namespace, name } = this.o;
    const lease = await api.readNamespacedLease({ name, namespace });
    if (lease.spec?.holderIdentity !== this.o.identity) return;
    await api.replaceNamespacedLease({
      name,
      namespace,
      body: {
        metadata: lease.metadata,
        spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 },
      },
    });
  }
}
