/**
 * When to start a node daemon again after it exited (pure), as systemd's `Restart=always` does
 * on a node, with the exponential backoff of `RestartSteps=`/`RestartMaxDelaySec=`: a daemon that
 * keeps dying right after its start is retried ever more slowly instead of in a tight loop, and
 * one that ran for a while before it died is retried quickly again. It never gives up (the
 * kubelet's and containerd's units set no start limit either).
 *
 * With the node defaults below, a daemon that dies at once on every start waits 1, 2, 4, 8, 16,
 * 30, 30 ... s; one that ran for 5 minutes and was killed waits 1 s.
 */
export interface RestartPolicy {
  /** Delay before the first restart of a streak. */
  initialDelayMs: number;
  /** Upper bound of the delay. */
  maxDelayMs: number;
  /** A run at least this long ends a streak of quick exits. */
  resetAfterMs: number;
}

export const NODE_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
};

export interface RestartDecision {
  delayMs: number;
  /** Quick exits in a row, this one included (1 after a long run). */
  streak: number;
}

/** The delay before the next start of a daemon that exited after running `ranMs`. */
export function nextRestart(policy: RestartPolicy, streakBefore: number, ranMs: number): RestartDecision {
  const streak = ranMs >= policy.resetAfterMs ? 1 : streakBefore + 1;
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (streak - 1));
  return { delayMs, streak };
}
