import cluster, { type Worker } from 'node:cluster';

/**
 * Question and answer over the cluster's IPC channel, matched by id. prom-client's aggregator
 * shares the channel with messages of its own; ours carry a `laas:` type and leave the rest alone.
 */
interface Envelope {
  type: string;
  id: number;
  body?: unknown;
  error?: string;
}

const ANSWER = ':answer';
const pending = new Map<number, (m: Envelope) => void>();
let nextId = 0;
let receiving = false;

const isEnvelope = (m: unknown): m is Envelope =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as Envelope).type === 'string' &&
  typeof (m as Envelope).id === 'number';

/** One listener per process settles every pending question; installed on the first question. */
function receiveAnswers(): void {
  if (receiving) return;
  receiving = true;
  const settle = (m: unknown): void => {
    if (isEnvelope(m) && m.type.endsWith(ANSWER)) pending.get(m.id)?.(m);
  };
  if (cluster.isWorker) process.on('message', settle);
  else cluster.on('message', (_worker: Worker, m: unknown) => settle(m));
}

function ask<T>(send: (m: Envelope) => void, type: string, timeoutMs: number): Promise<T> {
  receiveAnswers();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`no answer to ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, (m) => {
      clearTimeout(timer);
      pending.delete(id);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.body as T);
    });
    try {
      send({ type, id });
    } catch (err) {
      // The other end is gone (ERR_IPC_CHANNEL_CLOSED): answer now rather than at the timeout.
      pending.get(id)?.({ type, id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}

/** From a worker: asks the primary. */
export const askPrimary = <T>(type: string, timeoutMs: number): Promise<T> =>
  ask((m) => process.send!(m), type, timeoutMs);

/** From the primary: asks one worker. */
export const askWorker = <T>(worker: Worker, type: string, timeoutMs: number): Promise<T> =>
  ask((m) => worker.send(m), type, timeoutMs);

function reply(send: (m: Envelope) => void, question: Envelope, handler: () => Promise<unknown>): void {
  const answer = (m: Omit<Envelope, 'type' | 'id'>): void => {
    try {
      send({ type: question.type + ANSWER, id: question.id, ...m });
    } catch {
      // The asker died meanwhile: nobody is left to answer.
    }
  };
  Promise.resolve()
    .then(handler)
    .then(
      (body) => answer({ body }),
      (err: unknown) => answer({ error: err instanceof Error ? err.message : String(err) }),
    );
}

/** In the primary: answers every worker's `type` question with `handler`. */
export function answerWorkers(type: string, handler: () => Promise<unknown>): void {
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (isEnvelope(m) && m.type === type) reply((a) => worker.send(a), m, handler);
  });
}

/** In a worker: answers the primary's `type` question with `handler`. */
export function answerPrimary(type: string, handler: () => Promise<unknown>): void {
  process.on('message', (m: unknown) => {
    if (isEnvelope(m) && m.type === type) reply((a) => process.send!(a), m, handler);
  });
}
