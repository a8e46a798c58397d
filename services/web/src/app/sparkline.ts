/**
 * A sparkline as SVG path data: the series scaled into a width × height box, oldest on the left.
 * Gaps (null) break the line, so a service that was down does not draw a false ramp across it.
 * The vertical scale starts at 0, so one replica is not drawn as "empty" next to two.
 * Worked example: [1, 3] in 100 × 20 with 2 px padding → "M0 12L100 2" (max 3 at the top).
 */
export function sparklinePath(
  values: readonly (number | null)[],
  width: number,
  height: number,
  pad = 2,
): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return '';
  const max = Math.max(...present) || 1;
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => round(pad + (height - 2 * pad) * (1 - v / max));
  let d = '';
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${round(i * dx)} ${y(v)}`;
    drawing = true;
  });
  return d;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** "from 1 to 3, peak 4": what a screen reader hears instead of the drawing. */
export function describeSeries(values: readonly (number | null)[], format: (n: number) => string): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return 'no data';
  const first = present[0]!;
  const last = present[present.length - 1]!;
  return `from ${format(first)} to ${format(last)}, peak ${format(Math.max(...present))}`;
}
