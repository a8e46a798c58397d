/**
 * The one PromQL expression behind the scaling panel. Four panels in one query (joined with
 * `or`, each tagged with a `panel` label), so a refresh of the panel costs Prometheus exactly
 * one range query, whatever it shows:
 *   replicas   targets up, by service: the local system's Prometheus scrapes each ready replica
 *              (file_sd, label `service`); the chart's discovers pods (label `component`);
 *   rps        requests per second answered, health checks and scrapes left out;
 *   p99        the 0.99 quantile of request duration, in seconds;
 *   decisions  the autoscaler's decision counters, by outcome and reason (present only where
 *              the operator runs and is scraped).
 * Grouping by `service`, `component` and `job` fits both setups (a label a series lacks is empty);
 * a target with neither of the first two is named by its job.
 */
const NOT_TRAFFIC = 'route!~"/metrics|/healthz|/readyz"';

export function scalingQuery(rateWindow: string): string {
  const tag = (panel: string, expr: string) => `label_replace(${expr}, "panel", "${panel}", "", "")`;
  return [
    tag('replicas', 'count by (service, component, job) (up == 1)'),
    tag('rps', `sum by (service, component, job) (rate(http_requests_total{${NOT_TRAFFIC}}[${rateWindow}]))`),
    tag(
      'p99',
      `histogram_quantile(0.99, sum by (le, service, component, job) (rate(http_request_duration_seconds_bucket{${NOT_TRAFFIC}}[${rateWindow}])))`,
    ),
    tag('decisions', 'sum by (outcome, reason) (laas_autoscaler_decisions_total)'),
  ].join(' or ');
}
