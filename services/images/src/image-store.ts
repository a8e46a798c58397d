import type { Collection, Db } from 'mongodb';
import { isDuplicateKey, serviceUnavailable } from '@laas/shared';

/**
 * The database side of the catalog: the `images` collection and one marker document.
 *
 * **Ids are dense, by construction.** An image's `_id` is an integer, and an id is taken by
 * inserting the image at it: the unique `_id` index is the allocator. A writer tries the next
 * id it knows of; when another replica took it first, the insert fails on `_id` and the writer
 * tries the next one. A writer only ever tries id i once it knows ids 0..i-1 exist (it loaded
 * them, the marker announced them, or its own insert just collided on i-1), so ids are
 * committed in order and no id is ever burned: there are no gaps to skip.
 *
 * **The marker** `catalog_marker/images` holds `size`: ids 0..size-1 all exist. A writer raises
 * it (`$max`) after its insert, so a reader that sees size N can load ids below N and miss
 * nothing. The marker lives in its own one-document collection because reading it is what
 * every replica does every second: on FerretDB v1 any filter on `images` is a scan of the
 * whole table in Go, while the marker's table has one row.
 *
 * A writer that dies between its insert and raising the marker leaves its image unannounced:
 * the replicas learn of it at the next upload's `$max`, and the next writer's first try
 * collides on it and moves on.
 */
export interface ImageDoc {
  _id: number;
  url: string;
  createdAt: Date;
}

interface MarkerDoc {
  _id: string;
  size: number;
}

/** What `insert` did: the images it stored (ids ascending) and the URLs already in the catalog. */
export interface InsertOutcome {
  added: ImageDoc[];
  duplicates: string[];
}

/** A writer gives up after this many collisions in a row (another writer took every id it tried). */
const MAX_COLLISIONS = 100;
/** Rows per insert and per batch read: 10,000 URLs of ~60 bytes is a ~1 MB message. */
export const BATCH = 10_000;

export class ImageStore {
  private readonly images: Collection<ImageDoc>;
  private readonly marker: Collection<MarkerDoc>;

  constructor(db: Db) {
    this.images = db.collection<ImageDoc>('images');
    this.marker = db.collection<MarkerDoc>('catalog_marker');
  }

  async ensureIndexes(): Promise<void> {
    await this.images.createIndex({ url: 1 }, { unique: true, name: 'url_unique' });
  }

  /** How many images are announced: ids 0..size-1 all exist. */
  async announcedSize(): Promise<number> {
    return (await this.marker.findOne({ _id: 'images' }))?.size ?? 0;
  }

  /**
   * Ids `from`..`to`-1 with their URLs, in batches, in the database's natural order (no sort:
   * FerretDB v1 sorts in Go, which took 1.5x as long as the scan itself at 100,000 images).
   * On MongoDB this is an `_id` index range; on FerretDB v1 a scan of the whole table (about
   * 125 µs per image on this loaded machine: 12.5 s per 100,000), which is why a replica
   * reads it only when the marker announces new images.
   */
  async *urlsInRange(from: number, to: number): AsyncGenerator<Array<{ _id: number; url: string }>> {
    const cursor = this.images.find(
      { _id: { $gte: from, $lt: to } },
      { projection: { url: 1 }, batchSize: BATCH },
    );
    let batch: Array<{ _id: number; url: string }> = [];
    for await (const doc of cursor) {
      batch.push(doc);
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** The URLs of the given ids (fewer when an id does not exist). */
  async urlsOf(ids: number[]): Promise<Map<number, string>> {
    const docs = await this.images.find({ _id: { $in: ids } }, { projection: { url: 1 } }).toArray();
    return new Map(docs.map((doc) => [doc._id, doc.url]));
  }

  async get(id: number): Promise<ImageDoc | null> {
    return this.images.findOne({ _id: id });
  }

  async count(): Promise<number> {
    return this.images.countDocuments();
  }

  /**
   * Inserts the URLs at the next free ids, in order, and announces them. `knownSize` is the
   * caller's guess of the next free id (what it has loaded); the marker may know better.
   * A URL already in the catalog is reported in `duplicates`, not inserted.
   *
   * Worked example, two replicas uploading at once with 100 images: both try id 100; A wins;
   * B's insert fails on `_id`, B tries 101 and wins. Both raise the marker: to 101, then 102
   * (`$max`, so the order of the two writes does not matter).
   */
  async insert(urls: string[], now: Date, knownSize: number): Promise<InsertOutcome> {
    let next = Math.max(knownSize, await this.announcedSize());
    let pending = urls;
    const added: ImageDoc[] = [];
    const duplicates: string[] = [];
    for (let collisions = 0; pending.length > 0;) {
      const docs = pending.map((url, i) => ({ _id: next + i, url, createdAt: now }));
      const failed = await this.insertOrdered(docs);
      added.push(...docs.slice(0, failed ?? docs.length));
      if (failed === undefined) break;
      const clash = docs[failed]!;
      if (await this.images.findOne({ url: clash.url }, { projection: { _id: 1 } })) {
        // The URL is in the catalog; its id was not taken by us, so the next URL may have it.
        duplicates.push(clash.url);
        pending = pending.slice(failed + 1);
        next = clash._id;
      } else {
        // Another writer took this id: try the one after it (or what the marker now announces).
        if (++collisions > MAX_COLLISIONS)
          throw serviceUnavailable('upload_contention', 'too many concurrent uploads; try again shortly');
        pending = pending.slice(failed);
        next = Math.max(clash._id + 1, await this.announcedSize());
      }
    }
    const last = added[added.length - 1];
    if (last)
      await this.marker.updateOne({ _id: 'images' }, { $max: { size: last._id + 1 } }, { upsert: true });
    return { added, duplicates };
  }

  /** Inserts in order; returns the index of the document that hit a unique index, if one did. */
  private async insertOrdered(docs: ImageDoc[]): Promise<number | undefined> {
    try {
      await this.images.insertMany(docs, { ordered: true });
      return undefined;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return firstFailedIndex(err);
    }
  }
}

/** The index of the failed document of an ordered insertMany (0 for a single insert's error). */
function firstFailedIndex(err: unknown): number {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const first: unknown = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  const index = (first as { index?: unknown } | undefined)?.index;
  return typeof index === 'number' ? index : 0;
}
