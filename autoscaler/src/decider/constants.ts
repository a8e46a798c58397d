// The decider's fixed numbers, each with the reason for its value.

/** After a breach at L RPS per replica, believe capacity is 90% of L (it was exceeded at L). */
export const BREACH_BACKOFF = 0.9;

/** A load counts as steady (safe to learn from) when short RPS <= this x long RPS. */
export const STEADY_RATIO = 1.5;

/** A breach is learnt from only when short and long RPS agree within this fraction. */
export const BREACH_STEADY_BAND = 0.1;

/** A load is rising when short RPS > this x long RPS (a 20 s window against a 60 s one). */
export const RISING_RATIO = 1.2;

/**
 * Below this fraction of the planned load per replica a sample teaches nothing: a 5 s stall at
 * 0.5 RPS once taught a capacity of 0.45 RPS per replica. At 100 configured and 0.7 planned,
 * samples under 35 RPS per replica are "low load", and a breach there is not the load's.
 */
export const LOW_LOAD_FRACTION = 0.5;

/**
 * The CPU cost of a request is "the same" within +-25 % of its basis: the short window's CPU
 * rate is noisy (garbage collection, a 20 s window at 5 s scrapes). Outside the band the capacity
 * in RPS is divided by the ratio: twice the CPU per request, half the requests per replica.
 */
export const COST_BAND = 0.25;

/**
 * The cost is measured (its basis set, its ratio read) only at a load of at least half the plan
 * per replica: below it a replica's fixed CPU (garbage collection, timers, metrics, a fresh
 * process compiling its hot paths) is shared by few requests and reads as cost. On the local
 * system (issue 12), with 100m replicas planned at 21 RPS:
 *   - a basis taken at 10 RPS on one replica was about twice the cost measured at 50 RPS; the
 *     ratio read 0.5, the capacity in use doubled to 59 RPS per replica, and a 5x step was sized
 *     with 2 replicas where 3 were planned (the basis rule: it was a quarter of the plan then);
 *   - after the step, 20 RPS on 3 replicas (7 each, a third of the plan) with 7-15 ms/s of idle
 *     CPU per replica read 1.56x the cost, and the third replica was kept for the "heavier"
 *     requests (the ratio rule: it was read from a quarter of the plan then).
 * Below it the last ratio holds.
 */
export const COST_LOAD_FRACTION = 0.5;

/** Within the band the basis follows the measured cost slowly (10 % per evaluation). */
export const COST_LEARNING_RATE = 0.1;

/**
 * A breach at a load within 10 % of one served within the objective (the healthy memory) counts
 * as "served before": Poisson noise moves a 20 s rate by a few percent.
 */
export const SERVED_MARGIN = 1.1;
