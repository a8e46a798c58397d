// Wires the informer (watch of LatencyAutoscalers), the work queue, the periodic resync and the
// reconciler. The informer of client-node does not restart itself after an error: we do, with
// a backoff (1 s doubling to 30 s), and the cache keeps serving the last known objects meanwhile.
import type { CustomObjectsApi, KubeConfig, KubernetesListObject } from '@kubernetes/client-node';
import { ADD, DELETE, ERROR, UPDATE, makeInformer } from '@kubernetes/client-node';
import type { Informer, ObjectCache } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/types.js';
import type { LatencyAutoscaler } from '../api/types.js';
import type { Timers } from './queue.js';
import { WorkQueue, realTimers } from './queue.js';
import type { Logger, Reconciler } from './reconciler.js';
import { keyOf } from './reconciler.js';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  custom: CustomObjectsApi;
  /** Watch one namespace, or all when undefined. */
  namespace?: string;
  reconciler: Reconciler;
  log: Logger;
  resyncMs?: number;
  concurrency?: number;
  timers?: Timers;
  onReconcileError?: (key: string, error: unknown) => void;
  /** Only the leader processes the queue; a passive instance keeps its cache warm. */
  shouldProcess?: () => boolean;
}

type LatInformer = Informer<LatencyAutoscaler> & ObjectCache<LatencyAutoscaler>;

export class Controller {
  private informer: LatInformer | undefined;
  private readonly queue: WorkQueue;
  private resyncTimer: unknown;
  private restartDelay = 1000;
  private running = false;
  private readonly timers: Timers;

  constructor(private readonly o: ControllerOptions) {
    this.timers = o.timers ?? realTimers;
    this.queue = new WorkQueue((key) => this.process(key), {
      concurrency: o.concurrency ?? 4,
      timers: this.timers,
      onError: (key, error) => {
        o.log.error(
          { key, error: error instanceof Error ? error.message : String(error) },
          'reconcile failed; retrying with backoff',
        );
        o.onReconcileError?.(key, error);
      },
    });
  }

  private async process(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    if (this.o.shouldProcess && !this.o.shouldProcess()) return;
    const obj = this.informer?.get(name, namespace);
    if (!obj) return; // deleted meanwhile: nothing to do
    await this.o.reconciler.reconcile(obj);
  }

  async start(): Promise<void> {
    this.running = true;
    const { custom, namespace } = this.o;
    const path = namespace
      ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`
      : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = async (): Promise<KubernetesListObject<LatencyAutoscaler>> =>
      (namespace
        ? await custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural: PLURAL,
          })
        : await custom.listClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
          })) as KubernetesListObject<LatencyAutoscaler>;
    const informer = makeInformer<LatencyAutoscaler>(this.o.kubeConfig, path, list);
    this.informer = informer;
    informer.on(ADD, (o) => this.queue.add(keyOf(o)));
    informer.on(UPDATE, (o) => this.queue.add(keyOf(o)));
    informer.on(DELETE, (o) => {
      const key = keyOf(o);
      this.queue.forget(key);
      this.o.reconciler.forget(key);
      this.o.log.info({ key }, 'LatencyAutoscaler deleted: forgotten');
    });
    informer.on(ERROR, (error) => {
      if (!this.running) return;
      const delay = this.restartDelay;
      this.restartDelay = Math.min(this.restartDelay * 2, 30_000);
      this.o.log.warn({ error: String(error), retryInMs: delay }, 'watch failed; restarting the informer');
      this.timers.setTimeout(() => {
        if (this.running)
          informer.start().then(
            () => (this.restartDelay = 1000),
            () => undefined,
          );
      }, delay);
    });
    await informer.start();
    this.scheduleResync();
  }

  /** Every object is reconciled at least every resync period, watched events or not. */
  private scheduleResync(): void {
    this.resyncTimer = this.timers.setTimeout(() => {
      if (!this.running) return;
      for (const o of this.informer?.list() ?? []) this.queue.add(keyOf(o));
      this.scheduleResync();
    }, this.o.resyncMs ?? 5000);
  }

  /** Enqueue everything now (on becoming leader). */
  resyncNow(): void {
    for (const o of this.informer?.list() ?? []) this.queue.add(keyOf(o));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.clearTimeout(this.resyncTimer);
    this.queue.stop();
    await this.informer?.stop();
  }
}
