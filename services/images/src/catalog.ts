import type { Collection, Db } from 'mongodb';
import { conflict } from '@laas/shared';
import { LazyPermutation, type Random } from './domain/sampling.js';

/**
 * An image as stored. `_id` is a dense integer handed out by a counter (see below), stored as
 * its decimal string: FerretDB v1 on SQLite pushes a filter down to an index only when it is
 * exactly `{_id: <string or ObjectId>}`; an integer `_id` would make every lookup a scan.
 */
export interface ImageDoc {
  _id: string;
  url: string;
  createdAt: Date;
}

export interface Image {
  id: number;
  url: string;
  createdAt: string;
}

interface CounterDoc {
  _id: string;
  next: number;
}

export const toImage = (doc: ImageDoc): Image => ({
  id: Number(doc._id),
  url: doc.url,
  createdAt: doc.createdAt.toISOString(),
});

/**
 * Data access for the image catalog.
 *
 * Random sampling without `$sample` (FerretDB has none, and on MongoDB it scans when the sample
 * is over 5% of the collection): every image gets an integer id from a counter, so the ids are
 * 0..next-1 with rare gaps (a lost race on a duplicate URL burns an id). A request draws k ids
 * from a lazy random permutation of 0..next-1 and fetches them. Ids that hit a gap are replaced
 * by continuing the same permutation, so the sample stays uniform over the images that exist.
 *
 * The k ids are fetched with one `{_id: {$in: ids}}` query. On MongoDB that is an index lookup of
 * k keys, O(k log n) whatever the catalog size. FerretDB v1 on SQLite (the test database) pushes
 * down nothing but a single `_id` equality and even that runs as a table scan, so there every
 * query costs O(n): measured here, 25 point lookups by `_id` at 20,000 images took as long as
 * one `$in` (about 1.2 s on a loaded 2-core machine), which is why there is no second strategy.
 * Worked cost on MongoDB at 1,000,000 images and count=25: 25 map entries, one index lookup;
 * with 1% gaps a second round is needed about 22% of the time (1 - 0.99^25).
 */
export class ImageCatalog {
  private readonly images: Collection<ImageDoc>;
  private readonly counters: Collection<CounterDoc>;
  private idSpace: { value: number; readAt: number } | null = null;

  constructor(
    db: Db,
    private readonly options: { now: () => number; idSpaceTtlMs: number },
  ) {
    this.images = db.collection<ImageDoc>('images');
    this.counters = db.collection<CounterDoc>('counters');
  }

  async ensureIndexes(): Promise<void> {
    await this.images.createIndex({ url: 1 }, { unique: true, name: 'url_unique' });
  }

  /**
   * How many ids have been handed out. Cached for `idSpaceTtlMs` (1 s by default): it saves a
   * round trip per request, and an image uploaded through another replica shows up within it.
   */
  private async readIdSpace(): Promise<number> {
    const now = this.options.now();
    if (this.idSpace && now - this.idSpace.readAt < this.options.idSpaceTtlMs) return this.idSpace.value;
    const counter = await this.counters.findOne({ _id: 'images' });
    const value = counter?.next ?? 0;
    this.idSpace = { value, readAt: now };
    return value;
  }

  /** Up to `count` distinct images, uniformly at random, in random order. */
  async sample(count: number, random: Random): Promise<ImageDoc[]> {
    const permutation = new LazyPermutation(await this.readIdSpace(), random);
    const found: ImageDoc[] = [];
    while (found.length < count && permutation.remaining > 0) {
      const missing = count - found.length;
      // After a round with gaps, ask for twice what is missing: gaps cluster where races did.
      const ids = permutation.take(found.length === 0 ? missing : missing * 2).map(String);
      const docs = await this.images.find({ _id: { $in: ids } }).toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      for (const id of ids) {
        const doc = byId.get(id);
        if (doc && found.length < count) found.push(doc);
      }
    }
    return found;
  }

  async get(id: number): Promise<ImageDoc | null> {
    return this.images.findOne({ _id: String(id) });
  }

  /** Reserves `n` consecutive ids and returns the first. */
  private async allocateIds(n: number): Promise<number> {
    const counter = await this.counters.findOneAndUpdate(
      { _id: 'images' },
      { $inc: { next: n } },
      { upsert: true, returnDocument: 'after' },
    );
    const next = counter?.next ?? n;
    if (this.idSpace)
      this.idSpace = { value: Math.max(this.idSpace.value, next), readAt: this.idSpace.readAt };
    return next - n;
  }

  /** Adds one image; a URL already in the catalog is a conflict. */
  async add(url: string, now: Date): Promise<ImageDoc> {
    // Checked before allocating, so a client retrying a duplicate does not burn ids.
    if (await this.images.findOne({ url }, { projection: { _id: 1 } })) throw duplicate(url);
    const doc: ImageDoc = { _id: String(await this.allocateIds(1)), url, createdAt: now };
    try {
      await this.images.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw duplicate(url);
      throw err;
    }
    return doc;
  }

  /** Adds the URLs not yet present; returns how many were added. Safe to run again. */
  async seed(urls: string[], now: Date): Promise<number> {
    const existing = new Set(
      (await this.images.find({ url: { $in: urls } }, { projection: { url: 1 } }).toArray()).map(
        (d) => d.url,
      ),
    );
    const missing = [...new Set(urls)].filter((url) => !existing.has(url));
    if (missing.length === 0) return 0;
    const first = await this.allocateIds(missing.length);
    await this.images.insertMany(missing.map((url, i) => ({ _id: String(first + i), url, createdAt: now })));
    return missing.length;
  }

  async count(): Promise<number> {
    return this.images.countDocuments();
  }
}

const duplicate = (url: string) =>
  conflict('duplicate_image', 'an image with this URL is already in the catalog', { details: { url } });

const isDuplicateKey = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
