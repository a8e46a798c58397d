import { waitFor } from './wait.js';
import { toolsDir } from './paths.js';
export default async function globalSetup(): Promise<void> {
  console.log('setup', typeof waitFor, toolsDir, import.meta.url);
  (globalThis as Record<string, unknown>).__x = 1;
}
