import { AppError, toAppError, restartDelayMs } from '../src/index.js';

describe('toAppError maps what is thrown to what the client is told', () => {
  test.each([
    ['an AppError is kept as it is', new AppError(409, 'duplicate', 'dup'), 409, 'duplicate'],
    [
      'a body-parser parse failure is malformed JSON',
      Object.assign(new Error('x'), { type: 'entity.parse.failed' }),
      400,
      'malformed_json',
    ],
    [
      'a body over the limit is 413',
      Object.assign(new Error('x'), { type: 'entity.too.large', limit: 16384 }),
      413,
      'payload_too_large',
    ],
    [
      'an unsupported charset is 415',
      Object.assign(new Error('x'), { type: 'charset.unsupported' }),
      415,
      'unsupported_charset',
    ],
    [
      'a driver server-selection timeout is 503',
      Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }),
      503,
      'database_unavailable',
    ],
    [
      'a driver network error is 503',
      Object.assign(new Error('x'), { name: 'MongoNetworkError' }),
      503,
      'database_unavailable',
    ],
  ])('%s', (_label, err, status, code) => {
    expect(toAppError(err)).toMatchObject({ status, code });
  });

  test.each([
    ['a TypeError', new TypeError('undefined is not a function')],
    ['a thrown string', 'boom'],
    [
      'a driver error that is not about reachability',
      Object.assign(new Error('x'), { name: 'MongoServerError', code: 2 }),
    ],
  ])('%s is a programmer error (null → 500)', (_label, err) => {
    expect(toAppError(err)).toBeNull();
  });
});

describe('restartDelayMs backs off a crashing worker', () => {
  test.each([
    [1, 100],
    [2, 200],
    [5, 1600],
    [20, 10_000],
  ])('after %i recent crashes it waits %i ms', (crashes, ms) => {
    expect(restartDelayMs(crashes)).toBe(ms);
  });
});
