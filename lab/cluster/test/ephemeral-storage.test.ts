import { ephemeralStoragePatch } from '../src/ephemeral-storage.js';

describe("the node's ephemeral-storage patch", () => {
  test.each([
    [4096, 26_214_400, '102400Mi'],
    [4096, 256, '1Mi'],
    [1024, 1000, '0Mi'],
  ])(
    'a file system of %i-byte blocks × %i blocks publishes %s as capacity and allocatable',
    (bsize, blocks, quantity) => {
      expect(ephemeralStoragePatch({ bsize, blocks })).toEqual({
        status: {
          capacity: { 'ephemeral-storage': quantity },
          allocatable: { 'ephemeral-storage': quantity },
        },
      });
    },
  );
});
