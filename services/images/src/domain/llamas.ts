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

export function llamaCatalog(): string[] {
  const urls: string[] = [];
  for (const [p, pose] of POSES.entries()) {
    for (const [q, place] of PLACES.entries()) {
      const n = String(p * PLACES.length + q + 1).padStart(3, '0');
      urls.push(`${LLAMA_IMAGE_BASE}llama-${n}-${pose}-in-the-${place}.jpg`);
    }
  }
  return urls;
}
