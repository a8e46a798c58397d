import { Teardown } from '../src/teardown.js';

describe('a teardown', () => {
  test('undoes newest first: started dir, nginx, replicas; stopped replicas, nginx, dir', async () => {
    const undone: string[] = [];
    const t = new Teardown();
    for (const name of ['dir', 'nginx', 'replicas']) t.push(() => void undone.push(name));
    await t.run();
    expect(undone).toEqual(['replicas', 'nginx', 'dir']);
  });

  test('a step that fails, or throws, does not keep the others from running', async () => {
    const undone: string[] = [];
    const t = new Teardown();
    t.push(() => void undone.push('dir'));
    t.push(() => Promise.reject(new Error('nginx would not stop')));
    t.push(() => {
      throw new Error('cgroup busy');
    });
    await t.run();
    expect(undone).toEqual(['dir']);
  });

  test('once runs the steps a single time, however often it is asked', async () => {
    let runs = 0;
    const t = new Teardown();
    t.push(() => void runs++);
    await Promise.all([t.once(), t.once()]);
    await t.once();
    expect(runs).toBe(1);
  });
});
