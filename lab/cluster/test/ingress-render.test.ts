import { buildServers, locationMatches, renderNginxConfig } from '../src/ingress/render.js';
import type { IngressInfo, ServiceInfo } from '../src/ingress/render.js';

const services: ServiceInfo[] = [
  { namespace: 'laas', name: 'gateway', clusterIP: '198.19.0.40', ports: [{ name: 'http', port: 80 }] },
  { namespace: 'laas', name: 'images', clusterIP: '198.19.0.41', ports: [{ name: 'http', port: 3000 }] },
];

function ingress(
  spec: IngressInfo['spec'],
  annotations: Record<string, string> = {},
  name = 'laas',
): IngressInfo {
  return { metadata: { namespace: 'laas', name, annotations }, spec };
}

describe('the ingress controller renders Ingresses of class nginx into an nginx config', () => {
  test.each([
    ['Exact /random matches only /random', '/random', 'Exact', ['= /random']],
    ['Prefix / matches everything', '/', 'Prefix', ['/']],
    ['Prefix /api matches /api and /api/..., not /apix', '/api', 'Prefix', ['= /api', '/api/']],
    ['Prefix /api/ is the same as /api', '/api/', 'Prefix', ['= /api', '/api/']],
    ['ImplementationSpecific is treated as Prefix', '/v1', 'ImplementationSpecific', ['= /v1', '/v1/']],
  ])('%s', (_label, path, pathType, expected) => {
    expect(locationMatches(path, pathType)).toEqual(expected);
  });

  test('a host rule proxies to the Service cluster IP and port named in the backend', () => {
    const servers = buildServers(
      [
        ingress({
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'laas.local',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'gateway', port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        }),
      ],
      services,
    );
    expect(servers).toEqual([
      {
        host: 'laas.local',
        locations: [expect.objectContaining({ match: '/', upstream: 'http://198.19.0.40:80' })],
      },
    ]);
  });

  test.each([
    ['another class', { ingressClassName: 'traefik' }, {}],
    ['no class at all', {}, {}],
    ['another class by the legacy annotation', {}, { 'kubernetes.io/ingress.class': 'haproxy' }],
  ])('an Ingress of %s is ignored', (_label, spec, annotations) => {
    const servers = buildServers(
      [
        ingress(
          {
            ...spec,
            rules: [
              {
                http: {
                  paths: [{ path: '/', backend: { service: { name: 'gateway', port: { number: 80 } } } }],
                },
              },
            ],
          },
          annotations,
        ),
      ],
      services,
    );
    expect(servers).toEqual([]);
  });

  test('a missing Service answers 503 instead of breaking the config', () => {
    const servers = buildServers(
      [
        ingress({
          ingressClassName: 'nginx',
          defaultBackend: { service: { name: 'gone', port: { number: 80 } } },
        }),
      ],
      services,
    );
    const config = renderNginxConfig(servers, { listen: '198.19.255.2:80', dir: '/tmp/x' });
    expect(config).toContain('return 503;');
    expect(config).toContain('listen 198.19.255.2:80 default_server;');
  });

  test('proxy-body-size from the ingress-nginx annotation becomes client_max_body_size', () => {
    const servers = buildServers(
      [
        ingress(
          {
            ingressClassName: 'nginx',
            rules: [
              {
                http: {
                  paths: [
                    {
                      path: '/images',
                      pathType: 'Prefix',
                      backend: { service: { name: 'images', port: { number: 3000 } } },
                    },
                  ],
                },
              },
            ],
          },
          { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' },
        ),
      ],
      services,
    );
    const config = renderNginxConfig(servers, { listen: '198.19.255.2:80', dir: '/tmp/x' });
    expect(config).toContain('proxy_pass http://198.19.0.41:3000;');
    expect(config).toContain('client_max_body_size 8m;');
    // No rule for "/": everything else is 404 on the default server.
    expect(config).toMatch(/location \/ \{\n\s+return 404;/);
  });
});
