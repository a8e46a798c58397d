import { ObjectId, type Collection, type Db } from 'mongodb';
import { isDuplicateKey } from '@laas/shared';

/** A user as stored. `email` is lower-cased and unique (a unique index, not a check-then-insert). */
export interface UserDoc {
  _id: ObjectId;
  email: string;
  name?: string;
  passwordHash: string;
  createdAt: Date;
}

/** A user as answered: never the hash. */
export interface User {
  id: string;
  email: string;
  name?: string;
  createdAt: string;
}

export const toUser = (doc: UserDoc): User => ({
  id: doc._id.toHexString(),
  email: doc.email,
  ...(doc.name === undefined ? {} : { name: doc.name }),
  createdAt: doc.createdAt.toISOString(),
});

/**
 * Data access for users. Uses only what FerretDB v1 supports: single-document inserts and
 * finds, and a unique index (no transactions, no $lookup).
 */
export class UserStore {
  private readonly users: Collection<UserDoc>;

  constructor(db: Db) {
    this.users = db.collection<UserDoc>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.users.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  }

  /**
   * Inserts a user, or answers null when the email is already registered (decided by the unique
   * index, not a check-then-insert, so two racing registrations make one account).
   */
  async create(user: Omit<UserDoc, '_id'>): Promise<UserDoc | null> {
    const doc: UserDoc = { _id: new ObjectId(), ...user };
    try {
      await this.users.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
    return doc;
  }

  /** `email` is always a validated string here (see domain/validation.ts), never an operator. */
  async findByEmail(email: string): Promise<UserDoc | null> {
    return this.users.findOne({ email });
  }

  async findById(id: string): Promise<UserDoc | null> {
    if (!ObjectId.isValid(id) || id.length !== 24) return null;
    return this.users.findOne({ _id: new ObjectId(id) });
  }
}
