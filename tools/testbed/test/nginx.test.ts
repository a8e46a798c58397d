import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { httpText, startNginx } from '../src/index.js';
import type { NginxServer } from '../src/index.js';

function startUpstream(name: string): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${name} saw ${req.method} ${req.url}`);
  });
  return new Promise((resolveUpstream) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolveUpstream({ server, address: `127.0.0.1:${address.port}` });
    });
  });
}

describe('startNginx', () => {
  const upstreams: Server[] = [];
  let nginx: NginxServer | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    await Promise.all(upstreams.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  test('proxies requests to a node:http upstream', async () => {
    const alpaca = await startUpstream('alpaca');
    upstreams.push(alpaca.server);
    nginx = await startNginx({ upstreams: [alpaca.address] });

    const response = await httpText(`${nginx.url}/random?count=3`);

    expect(response.status).toBe(200);
    expect(response.body).toBe('alpaca saw GET /random?count=3');
  });

  test('switches upstreams on reload', async () => {
    const alpaca = await startUpstream('alpaca');
    const vicuna = await startUpstream('vicuna');
    upstreams.push(alpaca.server, vicuna.server);
    nginx = await startNginx({ upstreams: [alpaca.address] });

    await nginx.reload({ upstreams: [vicuna.address] });

    expect((await httpText(`${nginx.url}/`)).body).toBe('vicuna saw GET /');
  });

  test('serves a hand-written server block with the port filled in', async () => {
    nginx = await startNginx(
      'server { listen 127.0.0.1:{{port}}; location / { return 200 "hello from {{port}}"; } }',
    );

    expect((await httpText(`${nginx.url}/`)).body).toBe(`hello from ${nginx.port}`);
  });

  test('refuses a broken config on reload and keeps serving the old one', async () => {
    nginx = await startNginx('server { listen 127.0.0.1:{{port}}; location / { return 200 "old"; } }');

    await expect(nginx.reload('server { listen 127.0.0.1:{{port}}; nonsense; }')).rejects.toThrow(/rejected/);
    expect((await httpText(`${nginx.url}/`)).body).toBe('old');
  });

  test('applies ten concurrent reloads one at a time, in call order, and stays up serving every request', async () => {
    const version = (n: number): string =>
      `server { listen 127.0.0.1:{{port}}; location / { return 200 "v${n}"; } }`;
    nginx = await startNginx(version(0));
    const server = nginx;

    // Requests keep flowing while the reloads run: none may fail.
    let reloading = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (reloading) statuses.push((await httpText(`${server.url}/`)).status);
    })();

    // When reload n resolves, config n is in force (or a later one, already applied after it).
    const seenAtResolve: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        server.reload(version(i + 1)).then(async () => {
          seenAtResolve[i] = Number((await httpText(`${server.url}/`)).body.slice(1));
        }),
      ),
    );
    reloading = false;
    await traffic;

    expect((await httpText(`${server.url}/`)).body).toBe('v10');
    seenAtResolve.forEach((seen, i) => expect(seen).toBeGreaterThanOrEqual(i + 1));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});
