import { clusterLayout } from '../src/layout.js';
import { hostRoutes, routeArgs } from '../src/host/routes.js';

describe("the host's routes for a lab instance", () => {
  test.each([
    [
      0,
      [
        'route add unreachable 198.18.0.0/15 metric 1000',
        'route add 198.18.0.0/16 via 198.19.255.2 dev laaslab0h metric 1000',
        'route add 198.19.0.0/20 via 198.19.255.2 dev laaslab0h metric 1000',
      ],
    ],
    [
      3,
      [
        'route add unreachable 198.18.0.0/15 metric 1003',
        'route add 198.18.0.0/16 via 198.19.255.14 dev laaslab3h metric 1003',
        'route add 198.19.0.0/20 via 198.19.255.14 dev laaslab3h metric 1003',
      ],
    ],
  ])(
    'instance %i makes the whole lab block unreachable first, then routes pods and Services into its node',
    (instance, expected) => {
      expect(hostRoutes(clusterLayout(instance)).map((r) => routeArgs('add', r).join(' '))).toEqual(expected);
    },
  );

  test.each([
    [0, 1],
    [1, 2],
    [0, 15],
  ])(
    "instance %i's routes take precedence over instance %i's on the pod and Service ranges both route",
    (lower, higher) => {
      const metric = (instance: number): number => hostRoutes(clusterLayout(instance))[1]!.metric;
      expect(metric(lower)).toBeLessThan(metric(higher));
    },
  );

  test('a route is deleted by the same destination, gateway, device and metric it was added with', () => {
    for (const route of hostRoutes(clusterLayout(5))) {
      expect(routeArgs('del', route).slice(2)).toEqual(routeArgs('add', route).slice(2));
    }
  });
});
