import { AppError } from '@laas/shared';
import { jsonAnswer, type LocalRoute } from '../routing.js';
import type { ScalingReport } from '../scaling/report.js';
import { isAssetPath, siteAnswer, type Site } from './site.js';

export interface WebsiteOptions {
  /** The page (loadSite()); without it, `/` stays the gateway's JSON pointer to the API. */
  site?: Site | undefined;
  /** The scaling panel's report (scalingReporter()). */
  scaling: () => Promise<ScalingReport>;
}

/**
 * The website's routes, answered by the gateway itself through the one pipeline: the page at
 * `/`, its assets under `/web/<build>/`, and the live scaling panel's data. All public (not
 * guarded): the page must load before anyone has a token.
 */
export function websiteRoutes({ site, scaling }: WebsiteOptions): LocalRoute[] {
  const routes: LocalRoute[] = [
    {
      kind: 'local',
      template: '/api/scaling',
      guarded: false,
      methods: ['GET'],
      matches: (path) => path === '/api/scaling',
      respond: async () => {
        const answer = jsonAnswer(await scaling());
        return { ...answer, headers: { ...answer.headers, 'cache-control': 'no-store' } };
      },
    },
  ];
  if (!site) return routes;
  const fromSite = (path: string, ifNoneMatch: string | undefined) => {
    const found = siteAnswer(site, path, ifNoneMatch);
    if (found === null) throw notFoundAsset(path);
    return found;
  };
  return [
    ...routes,
    {
      kind: 'local',
      template: '/',
      guarded: false,
      methods: ['GET'],
      matches: (path) => path === '/' || path === '/index.html',
      respond: ({ req, path }) => fromSite(path, req.headers['if-none-match']),
    },
    {
      kind: 'local',
      template: '/web/*',
      guarded: false,
      methods: ['GET'],
      matches: isAssetPath,
      respond: ({ req, path }) => fromSite(path, req.headers['if-none-match']),
    },
  ];
}

const notFoundAsset = (path: string) =>
  new AppError(404, 'route_not_found', `no route for GET ${path.slice(0, 80)}: see /openapi.json`);
