// Orders the test files so that the lab-cluster suites never hold both jest workers at once.
//
// The lab suites (lab/cluster/test/*: each starts a real cluster) take one machine-wide lock and run
// one after another: about 13 (load), 8 (chart) and 5 (lab-cluster) minutes on a loaded 2-core
// machine. Jest's default order puts the largest files first on a cold cache, which are exactly
// those three: one worker ran a lab suite while the other sat waiting for the lock, and the other
// ~80 suites waited behind both. Here one lab suite goes first, every other suite next, and the
// remaining lab suites last: while one worker runs a lab suite the other works through the rest,
// and a worker only waits for the lock once nothing else is left. The lab suites are serial
// anyway, so which one goes first matters little.
import { readFileSync } from 'node:fs';
import Sequencer from '@jest/test-sequencer';

/** A lab suite is a test file that takes the lab lock (directly, or through lab-release.ts). */
function isLabSuite(path) {
  if (!path.includes('/cluster/test/')) return false;
  const source = readFileSync(path, 'utf8');
  return source.includes("from './suite-lock.js'") || source.includes("from './lab-release.js'");
}

export default class LabSuitesApartSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const lab = sorted.filter((test) => isLabSuite(test.path));
    if (lab.length === 0) return sorted;
    const rest = sorted.filter((test) => !lab.includes(test));
    const [first, ...later] = lab;
    return [first, ...rest, ...later];
  }
}
