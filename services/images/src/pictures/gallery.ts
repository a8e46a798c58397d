import { createHash } from 'node:crypto';
import { drawLlama } from './draw.js';
import { SEED_PICTURES, llamaTraits, pictureFileName } from './traits.js';

/** One rendered picture, ready to send. */
export interface Picture {
  id: number;
  fileName: string;
  svg: Buffer;
  /** Strong ETag: a hash of the bytes, so it changes exactly when the drawing does. */
  etag: string;
}

/** The path under which the images service (and, through it, the gateway) serves the pictures. */
export const PICTURES_PATH = '/pictures';

/**
 * Every seed picture, drawn once at boot (100 × ~2 KB; about 30 ms) and kept, keyed by both
 * of its names: `7.svg` and the descriptive `7-brown-llama-....svg` the seed links.
 */
export class PictureGallery {
  private readonly byName = new Map<string, Picture>();

  constructor(count = SEED_PICTURES) {
    for (let id = 1; id <= count; id++) {
      const svg = Buffer.from(drawLlama(llamaTraits(id)));
      const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 22)}"`;
      const picture: Picture = { id, fileName: pictureFileName(id), svg, etag };
      this.byName.set(`${id}.svg`, picture);
      this.byName.set(picture.fileName, picture);
    }
  }

  find(fileName: string): Picture | undefined {
    return this.byName.get(fileName);
  }
}

/**
 * The seed catalog's URLs: `<publicBaseUrl>/pictures/<id>-<description>.svg` for ids 1..100.
 * The base is where clients reach the gateway (PUBLIC_BASE_URL), so the links work wherever
 * the system runs; a base with a path (`https://example.org/laas`) keeps its path.
 */
export function seedPictureUrls(publicBaseUrl: string, count = SEED_PICTURES): string[] {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return Array.from({ length: count }, (_, i) => `${base}${PICTURES_PATH}/${pictureFileName(i + 1)}`);
}
