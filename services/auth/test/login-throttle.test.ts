import { LoginThrottle } from '../src/index.js';

const throttle = () =>
  new LoginThrottle({
    freeFailures: 5,
    baseDelayMs: 1000,
    maxDelayMs: 900_000,
    accountFailures: 50,
    accountWindowMs: 3_600_000,
    familiarMs: 30 * 86_400_000,
  });

/** Fails `times` attempts from one address, each as soon as the throttle allows; answers the waits. */
function waitsAfterEachFailure(t: LoginThrottle, times: number): number[] {
  let now = 0;
  const waits: number[] = [];
  for (let i = 0; i < times; i++) {
    const check = t.check('a@example.com', '10.0.0.1', now);
    const wait = check.allowed ? 0 : check.retryAfterSeconds;
    now += wait * 1000;
    t.attempt('a@example.com', '10.0.0.1', now);
    t.failed('a@example.com', '10.0.0.1', now);
    waits.push(wait);
  }
  return waits;
}

test('one address guessing one account waits 0 s for its first 5 attempts, then 1, 2, 4 ... s, capped at 15 min', () => {
  expect(waitsAfterEachFailure(throttle(), 17)).toEqual([
    0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900,
  ]);
});

test.each([
  ['another address of the owner', '10.0.0.2', true],
  ['the guessing address', '10.0.0.1', false],
])('after 10 failures from one address, %s may try at once: %s', (_label, address, allowed) => {
  const t = throttle();
  waitsAfterEachFailure(t, 10);
  expect(t.check('a@example.com', address, 1_000).allowed).toBe(allowed);
});
