import { imageKey } from '../src/cache-key.js';
import type { KeyInputs } from '../src/cache-key.js';
import { qualifiedTag, selectImages, LAB_IMAGES } from '../src/specs.js';

const base: KeyInputs = {
  dockerfile: 'FROM x\n',
  buildArgs: { NODE_IMAGE: 'localhost/laas-node:24-bookworm-slim' },
  files: [
    { path: 'a.ts', kind: 'file', sha256: '1' },
    { path: 'b.sh', kind: 'executable', sha256: '2' },
  ],
  baseKey: 'base',
  recipe: '1',
};

describe('the image key', () => {
  test('is the same for the same inputs in another order', () => {
    expect(imageKey({ ...base, files: [...base.files].reverse() })).toBe(imageKey(base));
  });

  test.each<[string, Partial<KeyInputs>]>([
    ['the Dockerfile', { dockerfile: 'FROM y\n' }],
    ['a build argument', { buildArgs: { NODE_IMAGE: 'node:24-alpine' } }],
    ['a file content', { files: [{ path: 'a.ts', kind: 'file', sha256: '9' }, base.files[1]!] }],
    ['a file mode', { files: [base.files[0]!, { path: 'b.sh', kind: 'file', sha256: '2' }] }],
    ['a file name', { files: [{ path: 'c.ts', kind: 'file', sha256: '1' }, base.files[1]!] }],
    ['an added file', { files: [...base.files, { path: 'c.ts', kind: 'file', sha256: '3' }] }],
    ['the base image', { baseKey: 'other' }],
    ['the recipe', { recipe: '2' }],
  ])('changes with %s', (_what, change) => {
    expect(imageKey({ ...base, ...change })).not.toBe(imageKey(base));
  });
});

describe('image names', () => {
  test.each([
    ['laas/images:dev', 'docker.io/laas/images:dev'],
    ['busybox:1', 'docker.io/library/busybox:1'],
    ['localhost/laas-node:24-bookworm-slim', 'localhost/laas-node:24-bookworm-slim'],
    ['ghcr.io/laas/gateway:0.1.0', 'ghcr.io/laas/gateway:0.1.0'],
  ])('%s is stored by containerd as %s', (tag, qualified) => {
    expect(qualifiedTag(tag)).toBe(qualified);
  });

  test('every lab image has its own name, archive and a :dev tag', () => {
    expect(LAB_IMAGES.map((i) => i.tag)).toEqual([
      'laas/images:dev',
      'laas/auth:dev',
      'laas/gateway:dev',
      'laas/autoscaler:dev',
      'laas/k6:dev',
      'laas/prometheus:dev',
      'laas/ferretdb:dev',
      'laas/pause:dev',
    ]);
  });

  test('selecting an unknown image is an error that names the known ones', () => {
    expect(() => selectImages(['images', 'nope'])).toThrow(/unknown image nope; known: images, auth/);
  });
});
