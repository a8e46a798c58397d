export default async function globalTeardown(): Promise<void> {
  console.log('teardown', (globalThis as Record<string, unknown>).__x);
}
