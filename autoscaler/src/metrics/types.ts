// What a metric source returns. Plain values: the decider consumes them without I/O, and a failed
// read is a value too (`kind: 'error'`), never an exception crossing into the decider.

/** One reading of a service's load and latency, evaluated at `observedAt`. */
export interface MetricSample {
  /** Epoch milliseconds of the evaluation the values describe (the `time` of the query). */
  observedAt: number;
  /** Requests per second over the short window (reacts to bursts). */
  rpsShort: number;
  /** Requests per second over the long window (what the service sustains). */
  rpsLong: number;
  /**
   * The objective quantile of latency in seconds over the short window. `null` when no request
   * was observed in the window (Prometheus returns NaN); `Infinity` when the quantile lies above
   * the largest finite bucket, which is a real overload signal, not an error.
   */
  latencySeconds: number | null;
  /**
   * Fraction (0..1) of requests within the objective latency, from the bucket whose `le` equals the
   * objective: an exact check where histogram_quantile interpolates. `null` when there is no such
   * bucket or no requests.
   */
  withinObjective: number | null;
  /**
   * CPU seconds per second the replicas spent over the short window
   * (`sum(rate(process_cpu_seconds_total[S]))`); with the RPS it gives the CPU cost of one request,
   * which tells heavier requests (scale) from a slower dependency (do not). Optional: a source
   * without it leaves it undefined or null, and the decider falls back to a bounded hold.
   */
  cpuSecondsPerSecond?: number | null;
  /**
   * Requests per second as they arrive at the replicas, counted before the handler (so requests
   * that then queue, fail or time out count too). A saturated replica completes only what it can,
   * so the completed-request rates above under-read the offered load; this does not. The
   * Prometheus source reads it over the short window (`rate()` of `http_requests_received_total`,
   * as lagged as `rpsShort`); the referee's source over the last 6 s, straight from the pods.
   * Optional: a source without it leaves it undefined or null, and sizing uses the rates alone.
   */
  arrivingRps?: number | null;
}

export type MetricErrorCode =
  | 'EmptyResult' // no series matched: the service is gone, renamed, or not scraped yet
  | 'MultipleSeries' // the query is ambiguous: refuse to guess which one
  | 'NotANumber' // NaN or +-Inf where a rate was expected
  | 'HttpError' // non-2xx from Prometheus
  | 'QueryError' // Prometheus answered status "error" (bad PromQL, timeout inside Prometheus)
  | 'Timeout' // no answer within the client timeout
  | 'Unreachable' // connection refused, DNS, reset
  | 'BadResponse'; // not the JSON shape of the HTTP API

export class MetricError extends Error {
  override readonly name = 'MetricError';
  constructor(
    readonly code: MetricErrorCode,
    message: string,
    readonly query?: string,
  ) {
    super(message);
  }
}

export type MetricReading = { kind: 'ok'; sample: MetricSample } | { kind: 'error'; error: MetricError };
