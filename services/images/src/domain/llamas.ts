/**
 * The built-in catalog: 100 llama image URLs, generated (nothing is downloaded). Names combine
 * a pose and a place so every URL is distinct and readable.
 */
const POSES = [
  'grazing',
  'smiling',
  'sleeping',
  'running',
  'posing',
  'chewing',
  'wondering',
  'jumping',
  'resting',
  'waving',
];
const PLACES = ['andes', 'meadow', 'farm', 'desert', 'snow', 'lake', 'city', 'forest', 'beach', 'studio'];

export const LLAMA_IMAGE_BASE = 'https://llamas.laas.example/images/';

/** The URL of llama number `n` (1-based): the one place the seed's URLs are built. */
export function llamaImageUrl(base: string, n: number, pose: string, place: string): string {
  return `${base}llama-${String(n).padStart(3, '0')}-${pose}-in-the-${place}.jpg`;
}

export function llamaCatalog(base: string = LLAMA_IMAGE_BASE): string[] {
  const urls: string[] = [];
  for (const [p, pose] of POSES.entries()) {
    for (const [q, place] of PLACES.entries())
      urls.push(llamaImageUrl(base, p * PLACES.length + q + 1, pose, place));
  }
  return urls;
}
