import type { Collection, Db } from 'mongodb';
import { conflict } from '@laas/shared';
import { LazyPermutation, type Random } from './domain/sampling.js';
import {
  buildSnapshot,
  decodeSlots,
  encodeSlots,
  sampleSnapshot,
  snapshotIsStale,
  type CatalogSnapshot,
} from './domain/snapshot.js';

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

interface SnapshotDoc {
  _id: string;
  next: number;
  urls: string;
  gaps: number;
  builtAt: Date;
}

/** What a sample holds: enough to answer /random. */
export interface SampledImage {
  _id: string;
  url: string;
}

/** Catalogs up to this many ids are sampled from one snapshot document (domain/snapshot.ts). */
export const SNAPSHOT_MAX_IMAGES = 1000;
/** A snapshot with gaps is rebuilt at most this often, to pick up inserts that were in flight. */
export const SNAPSHOT_GAP_RETRY_MS = 10_000;

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
 * Up to 1,000 ids (the 100-llama catalog, and anything a demo uploads), the ids are drawn from
 * one snapshot document that holds every URL (domain/snapshot.ts): one read of one document by
 * `_id` per request, the cheapest query FerretDB v1 has (it pushes down nothing else). Readers
 * rebuild the snapshot when the counter has moved past it, so uploads never touch it.
 *
 * Above that, the k ids are fetched with one `{_id: {$in: ids}}` query. On MongoDB that is an
 * index lookup of k keys, O(k log n) whatever the catalog size. On FerretDB v1 every filter but a
 * single `_id` equality is evaluated row by row in Go, so there any query costs O(n).
 * Worked cost on MongoDB at 1,000,000 images and count=25: 25 map entries, one index lookup;
 * with 1% gaps a second round is needed about 22% of the time (1 - 0.99^25).
 */
export class ImageCatalog {
  private readonly images: Collection<ImageDoc>;
  private readonly counters: Collection<CounterDoc>;
  private readonly snapshots: Collection<SnapshotDoc>;
  private idSpace: { value: number; readAt: number } | null = null;
  private rebuilding: Promise<CatalogSnapshot | null> | null = null;

  constructor(
    db: Db,
    private readonly options: { now: () => number; idSpaceTtlMs: number; snapshotMaxImages?: number },
  ) {
    this.images = db.collection<ImageDoc>('images');
    this.counters = db.collection<CounterDoc>('counters');
    this.snapshots = db.collection<SnapshotDoc>('catalog_snapshots');
  }

  async ensureIndexes(): Promise<void> {
    await this.images.createIndex({ url: 1 }, { unique: true, name: 'url_unique' });
  }

  /**
   * How many ids have been handed out. Cached for `idSpaceTtlMs` (1 s by default): it saves a
   * round trip per request, and an image uploaded through another replica shows up within it.
   */
  private async readIdSpace(fresh = false): Promise<number> {
    const now = this.options.now();
    if (!fresh && this.idSpace && now - this.idSpace.readAt < this.options.idSpaceTtlMs)
      return this.idSpace.value;
    const counter = await this.counters.findOne({ _id: 'images' });
    const value = counter?.next ?? 0;
    this.idSpace = { value, readAt: now };
    return value;
  }

  /** Up to `count` distinct images, uniformly at random, in random order. */
  async sample(count: number, random: Random): Promise<SampledImage[]> {
    const idSpace = await this.readIdSpace();
    if (idSpace <= (this.options.snapshotMaxImages ?? SNAPSHOT_MAX_IMAGES)) {
      const snapshot = await this.currentSnapshot(idSpace);
      if (snapshot)
        return sampleSnapshot(snapshot, count, random).map(({ id, url }) => ({ _id: String(id), url }));
    }
    const permutation = new LazyPermutation(idSpace, random);
    const found: SampledImage[] = [];
    while (found.length < count && permutation.remaining > 0) {
      const missing = count - found.length;
      // After a round with gaps, ask for twice what is missing: gaps cluster where races did.
      const ids = permutation.take(found.length === 0 ? missing : missing * 2).map(String);
      const docs = await this.images.find({ _id: { $in: ids } }, { projection: { url: 1 } }).toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      for (const id of ids) {
        const doc = byId.get(id);
        if (doc && found.length < count) found.push(doc);
      }
    }
    return found;
  }

  /** The snapshot, rebuilt first when stale; null when the catalog outgrew snapshots meanwhile. */
  private async currentSnapshot(idSpace: number): Promise<CatalogSnapshot | null> {
    const doc = await this.snapshots.findOne({ _id: 'small' });
    const stored: CatalogSnapshot | null = doc
      ? {
          next: doc.next,
          slots: decodeSlots(doc.urls, doc.next),
          gaps: doc.gaps,
          builtAt: doc.builtAt.getTime(),
        }
      : null;
    if (!snapshotIsStale(stored, idSpace, this.options.now(), SNAPSHOT_GAP_RETRY_MS)) return stored;
    // One rebuild at a time per process: a burst of requests that all find the snapshot stale
    // (the first ones after an upload) share it instead of each reading the whole catalog.
    this.rebuilding ??= this.rebuildSnapshot().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async rebuildSnapshot(): Promise<CatalogSnapshot | null> {
    const now = this.options.now();
    // Read the counter before the images: an id allocated after this read is past `next` and
    // makes the next reader rebuild; one allocated before it but not yet inserted is a gap,
    // picked up by the gap retry.
    const fresh = await this.readIdSpace(true);
    if (fresh > (this.options.snapshotMaxImages ?? SNAPSHOT_MAX_IMAGES)) return null;
    const images = await this.images.find({}, { projection: { url: 1 } }).toArray();
    const rebuilt = buildSnapshot(images, fresh, now);
    try {
      await this.snapshots.replaceOne(
        { _id: 'small' },
        { next: rebuilt.next, urls: encodeSlots(rebuilt.slots), gaps: rebuilt.gaps, builtAt: new Date(now) },
        { upsert: true },
      );
    } catch (err) {
      // Two replicas creating the first snapshot at once: both upserts insert, one loses on
      // the _id. The winner wrote a snapshot as good as ours, and ours serves this request.
      if (!isDuplicateKey(err)) throw err;
    }
    return rebuilt;
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
