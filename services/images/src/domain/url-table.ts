/**
 * The catalog's URLs in memory, compactly: every URL's bytes one after another in one Buffer,
 * and one Uint32 offset per image. Image id i is slot i (ids are dense, see image-store.ts), so
 * URL i is bytes offsets[i]..offsets[i+1] of the buffer.
 *
 * Why not an array of strings: a V8 string costs a 16-byte header plus its characters, and an
 * array slot 8 bytes more, on top of the object graph the collector must walk. Worked numbers for
 * 1,000,000 URLs of 60 characters: strings ~84 MB in a million heap objects; this table
 * 60 MB of buffer (off the V8 heap, never traced) plus 4 MB of offsets, in two objects.
 *
 * Each URL is stored as the inside of its JSON string (`JSON.stringify(url)` without the quotes),
 * so the hot path builds an answer by copying bytes, never escaping: `GET /random` is
 * `{"message":["` + slot + `","` + slot + ... + `"]}`. For the URLs the catalog accepts (a WHATWG
 * URL's `href`: ASCII, with `"` percent-encoded) the slot is the URL itself; a backslash, which an
 * href may keep in its query, is stored as `\\`, and anything outside printable ASCII as `\uXXXX`,
 * so every slot is ASCII and one latin1 byte per character is exact.
 */
export class UrlTable {
  private bytes: Buffer;
  private offsets: Uint32Array;
  private count = 0;

  constructor(initialBytes = 64 * 1024, initialSlots = 1024) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
    this.offsets = new Uint32Array(initialSlots + 1);
  }

  /** How many URLs the table holds: ids 0..size-1. */
  get size(): number {
    return this.count;
  }

  /** Bytes the table holds on to (its capacity, not just what is used): what counts against the budget. */
  get memoryBytes(): number {
    return this.bytes.length + this.offsets.byteLength;
  }

  /** Bytes the table would hold after adding `urlBytes` more bytes in `urls` more URLs. */
  memoryAfter(urls: number, urlBytes: number): number {
    const bytes = grownCapacity(this.bytes.length, this.usedBytes + urlBytes);
    const slots = grownCapacity(this.offsets.length, this.count + urls + 1);
    return bytes + slots * Uint32Array.BYTES_PER_ELEMENT;
  }

  private get usedBytes(): number {
    return this.offsets[this.count]!;
  }

  /** The bytes `url` takes in the table: its length, unless it needs escaping. */
  static storedBytes(url: string): number {
    return jsonInside(url).length;
  }

  /** Adds the URL of image `size` (the next id). */
  append(url: string): void {
    const stored = jsonInside(url);
    const length = stored.length;
    const start = this.usedBytes;
    if (start + length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(grownCapacity(this.bytes.length, start + length));
      this.bytes.copy(grown, 0, 0, start);
      this.bytes = grown;
    }
    if (this.count + 2 > this.offsets.length) {
      const grown = new Uint32Array(grownCapacity(this.offsets.length, this.count + 2));
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.bytes.write(stored, start, length, 'latin1');
    this.count++;
    this.offsets[this.count] = start + length;
  }

  /** The URL of image `id`, which must be below `size`. */
  url(id: number): string {
    const stored = this.bytes.toString('latin1', this.offsets[id], this.offsets[id + 1]);
    return stored.includes('\\') ? (JSON.parse(`"${stored}"`) as string) : stored;
  }

  /** The byte length of image `id`'s JSON string without its quotes. */
  jsonLength(id: number): number {
    return this.offsets[id + 1]! - this.offsets[id]!;
  }

  /** Copies image `id`'s JSON string without its quotes into `target` at `at`; returns where it ends. */
  copyJson(id: number, target: Buffer, at: number): number {
    return at + this.bytes.copy(target, at, this.offsets[id], this.offsets[id + 1]);
  }
}

/** Printable ASCII but `"` and `\`: what a JSON string holds as is. */
const PLAIN_JSON = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The inside of `JSON.stringify(text)`, in ASCII: what goes between the quotes. */
function jsonInside(text: string): string {
  if (PLAIN_JSON.test(text)) return text;
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Growth by half again: appends cost O(1) amortised, and the capacity is at most 1.5x what is
 * used. Worked numbers: 1,000,000 URLs of 60 bytes (60 MB) grow the buffer from 64 KiB in 17
 * copies, about 120 MB copied in total, once, while the catalog loads.
 */
function grownCapacity(current: number, needed: number): number {
  let capacity = Math.max(current, 1);
  while (capacity < needed) capacity = Math.ceil(capacity * 1.5);
  return capacity;
}
