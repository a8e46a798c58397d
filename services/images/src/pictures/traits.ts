/**
 * What one seed picture shows, decided from its id alone (1..SEED_PICTURES): the same id gives
 * the same llama on every replica and every boot, so a picture's URL, ETag and bytes never change.
 *
 * The visible traits are spread by arithmetic, not drawn at random, so no two of the 100 seed
 * pictures describe the same llama: with i = id - 1, the place is i % 10 and j = floor(i / 10)
 * picks pose (j % 4) and accessory ((j + place) % 7). Two ids in one place differ in j, and
 * equal poses and accessories would need j ≡ j' (mod 4) and (mod 7), i.e. mod 28, impossible
 * for j in 0..9. Coat, facing and small touches (colours of a hat, a sky tint) come from a
 * seeded generator, which is deterministic too.
 */

import { seededRandom } from '@laas/shared';

/** How many pictures the seed catalog links (ids 1..100). */
export const SEED_PICTURES = 100;

export const COATS = [
  { name: 'white', fill: '#f4efe6', shade: '#ddd3c4' },
  { name: 'cream', fill: '#ead9bb', shade: '#d3bf9c' },
  { name: 'tan', fill: '#d3a66b', shade: '#b98b50' },
  { name: 'brown', fill: '#9a643a', shade: '#7d4e2b' },
  { name: 'chocolate', fill: '#5f3c25', shade: '#4a2d1b' },
  { name: 'grey', fill: '#aaa49b', shade: '#8d877f' },
  { name: 'black', fill: '#3b3431', shade: '#2a2422' },
  { name: 'ginger', fill: '#cc7739', shade: '#ad5f28' },
] as const;

export const POSES = ['standing', 'grazing', 'resting', 'prancing'] as const;

export const PLACES = [
  { name: 'meadow', phrase: 'in a meadow' },
  { name: 'andes', phrase: 'in the andes' },
  { name: 'desert', phrase: 'in the desert' },
  { name: 'snow', phrase: 'in the snow' },
  { name: 'beach', phrase: 'on the beach' },
  { name: 'night', phrase: 'under the stars' },
  { name: 'forest', phrase: 'in the forest' },
  { name: 'studio', phrase: 'in the studio' },
  { name: 'city', phrase: 'in the city' },
  { name: 'lake', phrase: 'by the lake' },
] as const;

export const ACCESSORIES = ['none', 'hat', 'scarf', 'sunglasses', 'bow tie', 'flower', 'blanket'] as const;

export type Pose = (typeof POSES)[number];
export type Place = (typeof PLACES)[number]['name'];
export type Accessory = (typeof ACCESSORIES)[number];

export interface LlamaTraits {
  id: number;
  coat: (typeof COATS)[number];
  pose: Pose;
  place: Place;
  accessory: Accessory;
  /** Faces left (the drawing is mirrored). */
  facingLeft: boolean;
  /** 0.85..1: a little variety in size. */
  scale: number;
  /** The accessory's main colour. */
  accent: string;
  /** Small per-picture numbers for the scene (star positions, cloud offsets...). */
  random: () => number;
}

const ACCENTS = ['#d6336c', '#1c7ed6', '#f59f00', '#2f9e44', '#7048e8', '#e8590c', '#0c8599'];

export function llamaTraits(id: number): LlamaTraits {
  if (!Number.isInteger(id) || id < 1 || id > SEED_PICTURES)
    throw new RangeError(`picture ids are 1..${SEED_PICTURES}, got ${id}`);
  const i = id - 1;
  const place = i % PLACES.length;
  const j = Math.floor(i / PLACES.length);
  const random = seededRandom(Math.imul(id, 2654435761));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return {
    id,
    place: PLACES[place]!.name,
    pose: POSES[j % POSES.length]!,
    accessory: ACCESSORIES[(j + place) % ACCESSORIES.length]!,
    coat: pick(COATS),
    facingLeft: random() < 0.5,
    scale: 0.85 + Math.round(random() * 15) / 100,
    accent: pick(ACCENTS),
    random,
  };
}

/** "a brown llama grazing in the andes, wearing a scarf": the alt text the page derives from the URL. */
export function describe(traits: Pick<LlamaTraits, 'coat' | 'pose' | 'place' | 'accessory'>): string {
  const place = PLACES.find((p) => p.name === traits.place)!.phrase;
  const wearing = traits.accessory === 'none' ? '' : ` wearing a ${traits.accessory}`;
  return `${traits.coat.name} llama ${traits.pose} ${place}${wearing}`;
}

/** The file name of a picture: `7-brown-llama-grazing-in-the-andes-wearing-a-scarf.svg`. */
export function pictureFileName(id: number): string {
  const slug = describe(llamaTraits(id))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  return `${id}-${slug}.svg`;
}
