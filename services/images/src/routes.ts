import { Router } from 'express';
import { jsonBody, notFound, AppError } from '@laas/shared';
import { toImage, type ImageCatalog } from './catalog.js';
import { parseImageId, parseImageUpload } from './domain/validation.js';

export interface RoutesDeps {
  catalog: ImageCatalog;
  now: () => Date;
  maxCount: number;
}

/**
 * Thin routes: parse, call the catalog, shape the answer. `GET /random` is not here: it is
 * served by random-route.ts (routing.ts says which route is served where).
 */
export function imageRoutes({ catalog, now, maxCount }: RoutesDeps): Router {
  const router = Router();

  router.get('/', (_req, res) => {
    res.json({
      service: 'laas images',
      endpoints: {
        'GET /random': 'one random llama image URL: {"message": "<url>"}',
        'GET /random?count=N': `N distinct random image URLs (1..${maxCount}): {"message": ["<url>", ...]}`,
        'POST /images': 'add an image: {"url": "https://..."} → 201 with the stored image',
        'GET /images/:id': 'one image by id',
        'GET /healthz, /readyz, /metrics': 'liveness, readiness, Prometheus metrics',
      },
    });
  });

  router.post('/images', ...jsonBody(), async (req, res) => {
    if (req.body === undefined)
      throw new AppError(400, 'missing_body', 'the body must be {"url": "https://..."}');
    const url = parseImageUpload(req.body);
    const doc = await catalog.add(url, now());
    res.status(201).location(`/images/${doc._id}`).json(toImage(doc));
  });

  router.get('/images/:id', async (req, res) => {
    const doc = await catalog.get(parseImageId(req.params.id));
    if (!doc) throw notFound('image_not_found', `no image with id ${req.params.id}`);
    res.json(toImage(doc));
  });

  return router;
}
