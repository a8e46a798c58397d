// Benchmark: the cost of one `count=25` sample as the catalog grows, against a real FerretDB
// (the test bed's), side by side in the same run with the original LaaS approach as the
// baseline: read the whole catalog and pick 25 in the service. Prints medians and ratios
// (this machine is shared and noisy: read the ratios, not the milliseconds).
// Usage: npm run build && node services/images/bench/sampling-scale.js [sizes, default 100,1000,10000]
import { MongoClient } from 'mongodb';
import { startMongo } from '@laas/testbed';
import { ImageCatalog, LazyPermutation } from '@laas/images';

const sizes = (process.argv[2] ?? '100,1000,10000').split(',').map(Number);
const REPS = 15;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fill(db, n) {
  const images = db.collection('images');
  for (let i = 0; i < n; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) {
      batch.push({
        _id: String(j),
        url: `https://llamas.laas.example/bench/${j}.jpg`,
        createdAt: new Date(0),
      });
    }
    await images.insertMany(batch, { ordered: false });
  }
  await db.collection('counters').updateOne({ _id: 'images' }, { $set: { next: n } }, { upsert: true });
}

async function time(fn) {
  await fn(); // warm the pool
  const ms = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    const docs = await fn();
    ms.push(performance.now() - t);
    if (docs.length !== 25) throw new Error(`expected 25 images, got ${docs.length}`);
  }
  return median(ms);
}

const mongo = await startMongo();
const client = new MongoClient(mongo.url);
try {
  const rows = [];
  for (const n of sizes) {
    const db = client.db(`bench_${n}`);
    await fill(db, n);
    const catalog = new ImageCatalog(db, { now: Date.now, idSpaceTtlMs: 60_000 });
    const laas = await time(() => catalog.sample(25, Math.random));
    const original = await time(async () => {
      const all = await db.collection('images').find({}).toArray();
      return new LazyPermutation(all.length, Math.random).take(25).map((i) => all[i]);
    });
    rows.push({ n, laas, original });
    console.log(
      `catalog ${n.toLocaleString().padStart(7)}: laas (_id $in) ${laas.toFixed(1).padStart(8)} ms | original (read all) ${original
        .toFixed(1)
        .padStart(8)} ms | original/laas ${(original / laas).toFixed(2)}`,
    );
  }
  const [first, last] = [rows[0], rows[rows.length - 1]];
  console.log(
    `growth ×${last.n / first.n} in size: laas ×${(last.laas / first.laas).toFixed(1)}, original ×${(last.original / first.original).toFixed(1)}`,
  );
} finally {
  await client.close();
  await mongo.stop();
}
