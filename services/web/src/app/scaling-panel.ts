import { h, svg } from './dom.js';
import { formatAgo, formatCount, formatMs, formatRps } from './format.js';
import type { ScalingReport, ServiceScaling } from './scaling-types.js';
import { describeSeries, sparklinePath } from './sparkline.js';

const WIDTH = 120;
const HEIGHT = 28;

/** Draws the panel from one report: one card per service, then the autoscaler's last decision. */
export function renderScaling(panel: HTMLElement, report: ScalingReport): void {
  if (!report.enabled) {
    panel.replaceChildren(
      h('p', { class: 'off' }, `The scaling panel is off: ${report.message ?? 'no metrics'}`),
    );
    return;
  }
  const minutes = Math.round(report.windowSeconds / 60);
  // The lines start where the data does (a system up for 3 minutes fills the width), at one
  // common start so the rows stay aligned in time.
  const start = firstData(report.services);
  const cards = report.services.map((service) => card(service, minutes, start));
  const decision = report.autoscaler
    ? h(
        'p',
        { class: 'decision' },
        'Autoscaler: ',
        h('strong', {}, report.autoscaler.outcome),
        ` (${report.autoscaler.reason}), ${formatAgo(report.autoscaler.secondsAgo)}`,
      )
    : h('p', { class: 'decision muted' }, `No autoscaler decision in the last ${minutes} minutes.`);
  panel.replaceChildren(
    ...(cards.length > 0 ? cards : [h('p', { class: 'muted' }, 'No service is reporting metrics yet.')]),
    decision,
  );
}

function firstData(services: ServiceScaling[]): number {
  const starts = services.flatMap((s) =>
    [s.history.readyReplicas, s.history.rps, s.history.p99Ms].map((v) => v.findIndex((x) => x !== null)),
  );
  const found = starts.filter((i) => i >= 0);
  return found.length > 0 ? Math.min(...found) : 0;
}

function card(service: ServiceScaling, minutes: number, start: number): HTMLElement {
  const row = (label: string, value: string, series: (number | null)[], format: (n: number) => string) =>
    h(
      'div',
      { class: 'metric' },
      h('dt', {}, label),
      h('dd', {}, value),
      h(
        'dd',
        { class: 'spark' },
        sparkline(
          series.slice(start),
          `${label} over the last ${minutes} minutes: ${describeSeries(series, format)}`,
        ),
      ),
    );
  return h(
    'article',
    { class: 'service', 'data-service': service.name, 'data-ready': formatCount(service.readyReplicas) },
    h(
      'h3',
      {},
      service.name,
      h('span', { class: 'replicas' }, h('strong', {}, formatCount(service.readyReplicas)), ' ready'),
    ),
    h(
      'dl',
      {},
      row('replicas', formatCount(service.readyReplicas), service.history.readyReplicas, (n) =>
        formatCount(n),
      ),
      row('requests', formatRps(service.rps), service.history.rps, formatRps),
      row('p99', formatMs(service.p99Ms), service.history.p99Ms, formatMs),
    ),
  );
}

function sparkline(values: (number | null)[], label: string): SVGElement {
  const d = sparklinePath(values, WIDTH, HEIGHT);
  return svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: String(WIDTH),
      height: String(HEIGHT),
      role: 'img',
      'aria-label': label,
    },
    svg('path', {
      d,
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': '1.5',
      'stroke-linejoin': 'round',
    }),
  );
}
