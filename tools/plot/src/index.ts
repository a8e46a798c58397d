// Charts for reports, drawn by a maintained declarative library instead of hand-written SVG:
// a Vega-Lite spec is compiled to Vega, rendered headless in Node (renderer 'none': no browser,
// no canvas) to SVG, and the SVG is rasterised to PNG by resvg (a prebuilt native binary).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec } from 'vega-lite';

/** Font used in specs and by resvg, so that text measured by Vega is drawn at the same width. */
export const FONT = 'DejaVu Sans';

/** Defaults every chart shares: white background, one font, no action links. */
export const BASE_CONFIG = {
  background: 'white',
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14 },
} as const;

/** Compiles a Vega-Lite spec and renders it to an SVG string (no browser). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG at 1.5x (a readable size in a Markdown viewer). */
export function svgToPng(svg: string, zoom = 1.5): Buffer {
  const require = createRequire(import.meta.url);
  // Loaded lazily: if the native binary cannot load on some platform, only the PNG is missing.
  const { Resvg } = require('@resvg/resvg-js') as { Resvg: typeof ResvgClass };
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
    fitTo: { mode: 'zoom', value: zoom },
  });
  return Buffer.from(resvg.render().asPng());
}

/** Writes `<base>.svg` and `<base>.png`; returns both paths. */
export async function writeChart(base: string, spec: TopLevelSpec): Promise<{ svg: string; png: string }> {
  const svg = await renderSvg(spec);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.svg`, svg);
  writeFileSync(`${base}.png`, svgToPng(svg));
  return { svg: `${base}.svg`, png: `${base}.png` };
}
