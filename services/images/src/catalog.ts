import { conflict, serviceUnavailable, type Logger } from '@laas/shared';
import type { ImageDoc, ImageStore } from './image-store.js';
import { BATCH } from './image-store.js';
import { LazyPermutation, type Random } from './domain/sampling.js';
import { UrlTable } from './domain/url-table.js';

export interface Image {
  id: number;
  url: string;
  createdAt: string;
}

export const toImage = (doc: ImageDoc): Image => ({
  id: doc._id,
  url: doc.url,
  createdAt: doc.createdAt.toISOString(),
});

export interface CatalogOptions {
  store: ImageStore;
  logger: Logger;
  /** How often the replica reads the marker to pick up other replicas' uploads. */
  refreshMs: number;
  /** The most the in-memory table may hold; above it the catalog samples from the database. */
  memoryBudgetBytes: number;
  now: () => number;
}

/** What readiness reports: whether reads can be served, and whether the database answers. */
export interface CatalogHealth {
  canServeReads: boolean;
  databaseReachable: boolean;
  /** The last refresh error, when the last refresh failed. */
  lastError?: string;
  mode: 'memory' | 'database';
  size: number;
}

/**
 * The image catalog of one replica: every URL in memory (a UrlTable), sampled with no
 * database round trip; or, when the catalog outgrows `memoryBudgetBytes`, only its size in
 * memory and the sampled ids fetched from the database. One sampling path serves both.
 *
 * Freshness: every `refreshMs` (1 s by default) the replica reads the marker (one document)
 * and, when it announces more images than the table holds, loads just the new ids. An upload
 * is in the table of the replica that took it before its response is sent.
 */
export class ImageCatalog {
  /** Null once the catalog outgrew the memory budget: sampling then reads the database. */
  private table: UrlTable | null = new UrlTable();
  /** Images known to exist (ids 0..size-1); in memory mode, the table's size. */
  private knownSize = 0;
  private loadedOnce = false;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: CatalogOptions) {}

  get size(): number {
    return this.table?.size ?? this.knownSize;
  }

  health(): CatalogHealth {
    const databaseReachable = this.loadedOnce && this.lastError === undefined;
    return {
      canServeReads: this.table ? this.loadedOnce : databaseReachable,
      databaseReachable,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      mode: this.table ? 'memory' : 'database',
      size: this.size,
    };
  }

  /**
   * Loads the catalog now, then refreshes it every `refreshMs` until `stop()`. Resolves once the
   * first load has been tried (a service listens without waiting: readiness gates its traffic).
   */
  start(): Promise<void> {
    const tick = (): Promise<void> =>
      (this.running = this.refresh().finally(() => {
        this.running = undefined;
        if (this.started) this.timer = setTimeout(() => void tick(), this.options.refreshMs).unref();
      }));
    this.started = true;
    return tick();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Reads the marker and loads the ids it announces that the table lacks. Never throws: a
   * failure is kept for readiness, and the catalog already held keeps serving reads.
   */
  async refresh(): Promise<void> {
    try {
      await this.catchUp(await this.options.store.announcedSize());
      if (this.lastError !== undefined) this.options.logger.info('database reachable again');
      this.lastError = undefined;
      this.loadedOnce = true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.lastError === undefined)
        this.options.logger.warn({ err: message }, 'catalog refresh failed: serving the catalog held');
      this.lastError = message;
    }
  }

  /** Makes ids below `size` known: loads them into the table, or just counts them. */
  private async catchUp(size: number): Promise<void> {
    if (size <= this.size) return;
    if (!this.table) {
      this.knownSize = size;
      return;
    }
    const started = this.options.now();
    const from = this.table.size;
    // Ids arrive ascending from MongoDB (an `_id` index range) and from FerretDB (rows in
    // insertion order, which is id order); any that arrive early wait here for their turn.
    const early = new Map<number, string>();
    for await (const batch of this.options.store.urlsInRange(from, size)) {
      for (const { _id, url } of batch) {
        if (_id >= this.size) early.set(_id, url);
        for (let next = early.get(this.size); next !== undefined; next = early.get(this.size)) {
          if (!this.table) return;
          early.delete(this.size);
          // Two loads may overlap (the timer's and an upload's): each appends what is next.
          if (this.table.memoryAfter(1, UrlTable.storedBytes(next)) > this.options.memoryBudgetBytes) {
            this.outgrowMemory(size);
            return;
          }
          this.table.append(next);
        }
      }
    }
    if (!this.table) return;
    if (this.size < size) throw new Error(`catalog hole: id ${this.size} is announced but missing`);
    const loaded = this.size - from;
    if (loaded >= BATCH)
      this.options.logger.info(
        { images: loaded, ms: this.options.now() - started, bytes: this.table.memoryBytes },
        'catalog loaded',
      );
  }

  private outgrowMemory(size: number): void {
    this.options.logger.warn(
      { images: size, budgetBytes: this.options.memoryBudgetBytes },
      'the catalog outgrew CATALOG_MEMORY_MB: sampling from the database from now on',
    );
    this.table = null;
    this.knownSize = size;
  }

  /**
   * Up to `count` distinct URLs, uniformly at random, in random order: the first `count`
   * values of a lazy random permutation of the ids (domain/sampling.ts). With the table in
   * memory this touches no database; without it, one query fetches just the drawn ids.
   */
  async sample(count: number, random: Random): Promise<string[]> {
    const table = this.tableForReads();
    const ids = new LazyPermutation(this.size, random).take(count);
    if (table) return ids.map((id) => table.url(id));
    const urls = await this.options.store.urlsOf(ids);
    return ids.flatMap((id) => urls.get(id) ?? []);
  }

  /**
   * The table to draw from without touching the database (the hot path of `GET /random` does,
   * see random-route.ts); null when the catalog is over its memory budget and reads need the
   * database (then `sample`). Before the first load there is nothing to serve: 503.
   */
  tableForReads(): UrlTable | null {
    if (this.table && !this.loadedOnce)
      throw serviceUnavailable(
        'catalog_loading',
        'the catalog is not loaded yet (the database may be unreachable); try again shortly',
      );
    return this.table;
  }

  /** Adds one image; a URL already in the catalog is a conflict. */
  async add(url: string, now: Date): Promise<ImageDoc> {
    const { added } = await this.options.store.insert([url], now, this.size);
    const image = added[0];
    if (!image)
      throw conflict('duplicate_image', 'an image with this URL is already in the catalog', {
        details: { url },
      });
    // The image is stored whatever happens next: should loading what precedes it fail (the
    // database just went away), the next refresh picks it up, and the upload still succeeded.
    await this.absorb(added).catch((err: unknown) =>
      this.options.logger.warn(
        { err: String(err) },
        'upload stored; the catalog picks it up at the next refresh',
      ),
    );
    return image;
  }

  /** Adds the URLs not yet in the catalog, in batches; returns how many were added. Safe to run again. */
  async seed(urls: string[], now: Date): Promise<number> {
    let added = 0;
    for (let i = 0; i < urls.length; i += BATCH) {
      const outcome = await this.options.store.insert(urls.slice(i, i + BATCH), now, this.size);
      await this.absorb(outcome.added);
      added += outcome.added.length;
    }
    return added;
  }

  /** Makes this replica's own inserts visible at once: appended, or loaded with what precedes them. */
  private async absorb(added: ImageDoc[]): Promise<void> {
    for (const doc of added) {
      if (
        this.table &&
        doc._id === this.table.size &&
        this.table.memoryAfter(1, UrlTable.storedBytes(doc.url)) <= this.options.memoryBudgetBytes
      )
        this.table.append(doc.url);
      else await this.catchUp(doc._id + 1);
    }
  }

  ensureIndexes(): Promise<void> {
    return this.options.store.ensureIndexes();
  }

  async get(id: number): Promise<ImageDoc | null> {
    return this.options.store.get(id);
  }
}
