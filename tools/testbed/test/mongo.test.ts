import { existsSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { startMongo, testMongoUrl } from '../src/index.js';

describe('the shared FerretDB (MongoDB wire protocol)', () => {
  let client: MongoClient;

  beforeAll(async () => {
    client = await new MongoClient(testMongoUrl()).connect();
  });

  afterAll(async () => {
    await client.close();
  });

  test('stores a document that a query then finds', async () => {
    const llamas = client.db('testbed_smoke').collection<{ name: string; wool: number }>('llamas');
    await llamas.insertOne({ name: 'Carlos', wool: 3 });

    const found = await llamas.findOne({ name: 'Carlos' }, { projection: { _id: 0 } });

    expect(found).toEqual({ name: 'Carlos', wool: 3 });
  });

  test('is published to workers as a loopback mongodb URL', () => {
    expect(testMongoUrl()).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('startMongo', () => {
  test('starts a private FerretDB whose data folder is gone after stop', async () => {
    const mongo = await startMongo();
    const client = await new MongoClient(mongo.url).connect();
    try {
      await client.db('private').collection('things').insertOne({ a: 1 });
      expect(await client.db('private').collection('things').countDocuments()).toBe(1);
    } finally {
      await client.close();
      await mongo.stop();
    }
    expect(existsSync(mongo.dataDir)).toBe(false);
  });
});
