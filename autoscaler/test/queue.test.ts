import { WorkQueue } from '../src/reconciler/queue.js';
import type { Timers } from '../src/reconciler/queue.js';

/** Timers advanced by hand: the queue's backoff is observable without waiting. */
function manualTimers() {
  let now = 0;
  const pending: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.push({ at: now + ms, fn, id: ++id });
      return id;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const p of pending.filter((p) => p.at <= now)) {
      pending.splice(pending.indexOf(p), 1);
      p.fn();
    }
  };
  return { timers, advance, delays: () => pending.map((p) => p.at - now) };
}

test('a key added five times while queued is processed once', async () => {
  const seen: string[] = [];
  const q = new WorkQueue(async (k) => void seen.push(k), { concurrency: 1 });
  q.add('ns/a');
  for (let i = 0; i < 5; i++) q.add('ns/b');
  await q.idle();
  expect(seen).toEqual(['ns/a', 'ns/b']);
});

test('a key added while it is being processed is processed again afterwards, never concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const q = new WorkQueue(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    calls++;
    if (calls === 1) q.add('ns/a');
    await new Promise((r) => setTimeout(r, 5));
    running--;
  });
  q.add('ns/a');
  await new Promise((r) => setTimeout(r, 50));
  await q.idle();
  expect({ calls, maxRunning }).toEqual({ calls: 2, maxRunning: 1 });
});

test('failures are retried after 1 s, 2 s, 4 s: backoff, not a retry storm', async () => {
  const { timers, advance, delays } = manualTimers();
  const q = new WorkQueue(async () => Promise.reject(new Error('boom')), { timers });
  const observed: number[] = [];
  q.add('ns/a');
  for (let i = 0; i < 3; i++) {
    await q.idle();
    await new Promise((r) => setImmediate(r));
    observed.push(...delays());
    advance(delays()[0] ?? 0);
  }
  expect(observed).toEqual([1000, 2000, 4000]);
  q.stop();
});

test('a forgotten (deleted) key is not retried', async () => {
  const { timers, delays } = manualTimers();
  const q = new WorkQueue(async () => Promise.reject(new Error('boom')), { timers });
  q.add('ns/a');
  await q.idle();
  await new Promise((r) => setImmediate(r));
  expect(delays()).toHaveLength(1);
  q.forget('ns/a');
  expect(delays()).toHaveLength(0);
});
