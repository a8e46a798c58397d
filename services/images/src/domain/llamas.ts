import { seedPictureUrls } from '../pictures/gallery.js';
import { DEFAULT_PUBLIC_BASE_URL } from '../pictures/public-base-url.js';

/**
 * The built-in catalog: the 100 llama pictures the images service draws itself
 * (src/pictures/), linked under the public base URL clients reach the system at.
 */
export function llamaCatalog(publicBaseUrl = DEFAULT_PUBLIC_BASE_URL): string[] {
  return seedPictureUrls(publicBaseUrl);
}
