import { RateLimiter } from '../src/index.js';

describe('RateLimiter (token bucket, hand-advanced clock)', () => {
  test('a burst of `limit` requests passes and the next is refused with the wait until one token is back', () => {
    const limiter = new RateLimiter({ limit: 5, windowMs: 60_000 });
    const decisions = [0, 0, 0, 0, 0].map((t) => limiter.take('a', t));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
    // One token every 12 s; 3 s have passed, so 9 s remain.
    expect(limiter.take('a', 3_000)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 9 });
  });

  test.each([
    ['just before a token is back', 11_999, false],
    ['exactly when a token is back', 12_000, true],
    ['a whole window later', 60_000, true],
  ])('after emptying the bucket, a request %s is %s', (_label, at, allowed) => {
    const limiter = new RateLimiter({ limit: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) limiter.take('a', 0);
    expect(limiter.take('a', at).allowed).toBe(allowed);
  });

  test('keys are independent: one client being limited does not limit another', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1_000 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  test('the long-run rate never exceeds limit per window, however requests are spread', () => {
    const limiter = new RateLimiter({ limit: 10, windowMs: 1_000 });
    let allowed = 0;
    for (let t = 0; t < 10_000; t += 7) if (limiter.take('a', t).allowed) allowed++;
    // 10 s at 10/s plus the initial burst of 10.
    expect(allowed).toBeLessThanOrEqual(110);
    expect(allowed).toBeGreaterThanOrEqual(100);
  });

  test('a clock stepping backwards refills nothing', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1_000 });
    limiter.take('a', 5_000);
    expect(limiter.take('a', 1_000).allowed).toBe(false);
  });

  test('a limit of 0 disables the limiter', () => {
    const limiter = new RateLimiter({ limit: 0, windowMs: 1_000 });
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a', 0).allowed).toBe(true);
  });

  test('memory is bounded: past maxKeys the least recently used key is forgotten', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('a', 0); // a is now the most recently used
    limiter.take('c', 0); // evicts b
    expect(limiter.size).toBe(2);
    expect(limiter.take('b', 0).allowed).toBe(true);
    expect(limiter.take('c', 0).allowed).toBe(false);
  });

  test('reset forgets a key', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 });
    limiter.take('a', 0);
    limiter.reset('a');
    expect(limiter.take('a', 0).allowed).toBe(true);
  });

  test.each([[{ limit: -1, windowMs: 1000 }], [{ limit: 1, windowMs: 0 }]])(
    'refuses nonsensical options %j',
    (options) => {
      expect(() => new RateLimiter(options)).toThrow(RangeError);
    },
  );
});
