import { renderSvg, svgToPng } from '@laas/plot';

describe('plot', () => {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: {
      values: [
        { x: 1, y: 2, s: 'a' },
        { x: 2, y: 5, s: 'b' },
      ],
    },
    mark: 'point',
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'replica-seconds' },
      y: { field: 'y', type: 'quantitative' },
      color: { field: 's', type: 'nominal' },
    },
  } as const;

  test('a Vega-Lite spec renders to an SVG with its axis title and one mark per datum', async () => {
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('replica-seconds');
    expect(svg.match(/role-mark/g)?.length ?? 0).toBeGreaterThan(0);
  });

  test('the SVG rasterises to a PNG (magic bytes)', async () => {
    const png = svgToPng(await renderSvg(spec));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(1000);
  });
});
