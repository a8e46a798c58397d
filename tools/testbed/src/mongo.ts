export { startMongo } from '@laas/local';
export type { MongoServer, StartMongoOptions } from '@laas/local';
