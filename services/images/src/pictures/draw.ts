import { describe, type LlamaTraits, type Place } from './traits.js';

/**
 * Draws one llama picture as SVG text: a 200×200 scene (sky, ground, a few props), a shadow,
 * then the llama, built from ellipses and rounded rectangles facing right and mirrored for the
 * ones facing left. Coordinates are whole numbers and colours short hex, so a picture stays
 * around 2 KB (the tests hold every seed picture under 4 KB).
 */
export function drawLlama(traits: LlamaTraits): string {
  const title = describe(traits);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img">` +
    `<title>A ${escapeXml(title)}</title>` +
    scene(traits.place, traits.random) +
    `<ellipse cx="100" cy="166" rx="${Math.round(48 * traits.scale)}" ry="6" fill="#000" opacity=".18"/>` +
    llama(traits) +
    `</svg>`
  );
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const rect = (fill: string, x: number, y: number, w: number, h: number, extra = ''): string =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"${extra}/>`;
const circle = (fill: string, cx: number, cy: number, r: number, extra = ''): string =>
  `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"${extra}/>`;
const ellipse = (fill: string, cx: number, cy: number, rx: number, ry: number, extra = ''): string =>
  `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="${fill}"${extra}/>`;
const poly = (fill: string, points: string): string => `<polygon points="${points}" fill="${fill}"/>`;
/** n whole numbers in [lo, hi) from the picture's own generator. */
const spread = (random: () => number, lo: number, hi: number): number =>
  Math.floor(lo + random() * (hi - lo));

function scene(place: Place, random: () => number): string {
  const sky = (fill: string) => rect(fill, 0, 0, 200, 200);
  const ground = (fill: string, y = 150) => rect(fill, 0, y, 200, 200 - y);
  const cloud = (x: number, y: number) =>
    `<g fill="#fff" opacity=".9">${ellipse('#fff', x, y, 16, 7)}${ellipse('#fff', x + 10, y - 5, 10, 7)}</g>`;
  switch (place) {
    case 'meadow':
      return (
        sky('#bfe3f5') +
        circle('#ffd43b', 164, 34, 14) +
        cloud(spread(random, 30, 90), spread(random, 28, 50)) +
        ground('#8cc665') +
        [0, 1, 2, 3, 4]
          .map(() => circle('#fff', spread(random, 8, 192), spread(random, 172, 194), 2))
          .join('')
      );
    case 'andes':
      return (
        sky('#cfe6f2') +
        poly('#8a94a6', '-10,150 50,62 110,150') +
        poly('#fff', '50,62 38,80 62,80') +
        poly('#76809a', '70,150 140,50 210,150') +
        poly('#fff', '140,50 126,70 154,70') +
        ground('#9bbf6a')
      );
    case 'desert':
      return (
        sky('#fcdca6') +
        circle('#f08c00', spread(random, 40, 160), 44, 20, ' opacity=".85"') +
        ellipse('#e9b872', 50, 160, 110, 22) +
        ellipse('#dca35b', 170, 166, 90, 20) +
        rect('#2f9e44', 172, 112, 8, 42, ' rx="4"') +
        rect('#2f9e44', 164, 122, 6, 16, ' rx="3"') +
        ground('#dca35b', 168)
      );
    case 'snow':
      return (
        sky('#dbe9f5') +
        ellipse('#eef4fa', 60, 150, 120, 26) +
        ground('#fff', 152) +
        Array.from({ length: 9 }, () =>
          circle('#fff', spread(random, 6, 194), spread(random, 8, 140), 2),
        ).join('')
      );
    case 'beach':
      return (
        sky('#9fd8f0') +
        circle('#ffe066', 36, 36, 13) +
        rect('#3a9ad9', 0, 124, 200, 28) +
        rect('#74c0fc', 0, 124, 200, 4) +
        ground('#f3dca2', 150)
      );
    case 'night':
      return (
        sky('#1d2b53') +
        circle('#fff3bf', 158, 38, 15) +
        circle('#1d2b53', 165, 33, 13) +
        Array.from({ length: 12 }, () =>
          circle('#fff', spread(random, 4, 196), spread(random, 6, 120), 1),
        ).join('') +
        ellipse('#2b4a3a', 100, 168, 150, 26)
      );
    case 'forest':
      return (
        sky('#d3f0d9') +
        [14, 46, 160, 190]
          .map((x) => {
            const h = spread(random, 70, 100);
            return (
              rect('#6b4226', x - 3, 150 - 18, 6, 18) +
              poly('#2b8a3e', `${x - 18},${132} ${x},${132 - h} ${x + 18},${132}`)
            );
          })
          .join('') +
        ground('#5e9c4f')
      );
    case 'studio':
      return sky('#f1e6fb') + ellipse('#fff', 100, 80, 70, 60, ' opacity=".55"') + ground('#dcc8ef', 146);
    case 'city':
      return (
        sky('#ffd8c2') +
        [0, 30, 62, 98, 130, 164]
          .map((x) => {
            const h = spread(random, 40, 96);
            return rect('#6c7a96', x, 150 - h, 28, h) + rect('#ffe8a3', x + 8, 158 - h, 6, 6);
          })
          .join('') +
        ground('#9aa0a6')
      );
    case 'lake':
      return (
        sky('#cdeefd') +
        ellipse('#a9d18e', 40, 132, 90, 26) +
        ellipse('#94c57a', 170, 136, 80, 22) +
        ground('#8fcb73') +
        ellipse('#4dabf7', spread(random, 40, 70), 182, 52, 12)
      );
  }
}

function llama(t: LlamaTraits): string {
  const { fill, shade } = t.coat;
  const mirror = t.facingLeft ? -1 : 1;
  const transform = `translate(100 166) scale(${mirror * t.scale} ${t.scale}) translate(-100 -166)`;
  const resting = t.pose === 'resting';
  const leg = (x: number, colour: string, turn = 0) =>
    rect(colour, x, 120, 9, 46, ` rx="4"${turn ? ` transform="rotate(${turn} ${x + 4} 122)"` : ''}`);
  const legs = resting
    ? ellipse(shade, 72, 150, 16, 6) + ellipse(shade, 112, 150, 16, 6)
    : t.pose === 'prancing'
      ? leg(72, shade) + leg(114, shade, -22) + leg(62, fill) + leg(104, fill, -34)
      : leg(72, shade) + leg(114, shade) + leg(62, fill) + leg(104, fill);
  const body =
    ellipse(shade, 56, 106, 7, 11) +
    ellipse(fill, 92, 112, 40, 22) +
    circle(fill, 70, 95, 10) +
    circle(fill, 88, 92, 11) +
    circle(fill, 106, 94, 10) +
    (t.accessory === 'blanket' ? blanket(t.accent) : '');
  const neckTurn = t.pose === 'grazing' ? 108 : t.pose === 'prancing' ? -8 : 0;
  const neck =
    `<g${neckTurn ? ` transform="rotate(${neckTurn} 122 106)"` : ''}>` +
    rect(fill, 114, 50, 18, 68, ' rx="9"') +
    ellipse(shade, 118, 34, 4, 10, ' transform="rotate(-15 118 34)"') +
    ellipse(shade, 127, 33, 4, 10, ' transform="rotate(12 127 33)"') +
    ellipse(fill, 129, 49, 16, 12) +
    ellipse(shade, 142, 54, 8, 7) +
    circle('#333', 147, 52, 1) +
    `<path d="M140 59q4 3 8 0" stroke="#333" fill="none"/>` +
    circle('#222', 131, 45, 2.4) +
    circle('#fff', 132, 44, 0.8) +
    headwear(t.accessory, t.accent) +
    `</g>`;
  const upper = resting ? `<g transform="translate(0 18)">${body}${neck}</g>` : body + neck;
  return `<g transform="${transform}">${legs}${upper}</g>`;
}

function blanket(accent: string): string {
  return (
    rect(accent, 74, 88, 38, 30, ' rx="4"') +
    `<path d="M76 103l6-6 6 6 6-6 6 6 6-6 4 4" stroke="#fff" stroke-width="2" fill="none"/>`
  );
}

/** What sits on the head or neck; drawn inside the neck group so it follows the pose. */
function headwear(accessory: LlamaTraits['accessory'], accent: string): string {
  switch (accessory) {
    case 'hat':
      return poly(accent, '116,40 140,40 128,10') + circle('#fff', 128, 10, 4);
    case 'sunglasses':
      return (
        rect('#1b1b1b', 124, 41, 14, 8, ' rx="3"') +
        `<path d="M124 44l-12-2" stroke="#1b1b1b" stroke-width="2"/>`
      );
    case 'scarf':
      return rect(accent, 111, 84, 24, 10, ' rx="4"') + rect(accent, 113, 90, 8, 20, ' rx="3"');
    case 'bow tie':
      return `<path d="M133 96l-10-7v14zM133 96l10-7v14z" fill="${accent}"/>` + circle(accent, 133, 96, 3);
    case 'flower':
      return (
        [0, 72, 144, 216, 288]
          .map((a) => {
            const r = (a * Math.PI) / 180;
            return circle(accent, Math.round(121 + 4 * Math.cos(r)), Math.round(30 + 4 * Math.sin(r)), 3);
          })
          .join('') + circle('#ffd43b', 121, 30, 2.5)
      );
    default:
      return '';
  }
}
