import { Router } from 'express';
import { badRequest, notFound } from '@laas/shared';
import { PICTURES_PATH, type PictureGallery } from './gallery.js';
import { SEED_PICTURES } from './traits.js';

/** A year: the bytes behind a picture URL never change (a new drawing gets a new ETag, not new bytes under an old one). */
const CACHE_CONTROL = 'public, max-age=31536000, immutable';
const FILE_NAME = /^[1-9][0-9]{0,2}(-[a-z0-9-]{1,120})?\.svg$/;

/**
 * GET /pictures/:file — the seed llama pictures. Long-cached and immutable, with an ETag for
 * clients that revalidate anyway (a reload in most browsers): If-None-Match answers 304.
 */
export function pictureRoutes(gallery: PictureGallery): Router {
  const router = Router();
  router.get(`${PICTURES_PATH}/:file`, (req, res) => {
    const file = req.params.file;
    if (!FILE_NAME.test(file))
      throw badRequest(
        'invalid_picture_name',
        `picture names look like "7.svg" or "7-brown-llama-....svg", got "${file.slice(0, 40)}"`,
      );
    const picture = gallery.find(file);
    if (!picture)
      throw notFound(
        'picture_not_found',
        `no picture "${file.slice(0, 40)}": ids are 1..${SEED_PICTURES}, with the description the seed links`,
      );
    res.setHeader('cache-control', CACHE_CONTROL);
    res.setHeader('etag', picture.etag);
    res.setHeader('x-content-type-options', 'nosniff');
    if (ifNoneMatch(req.headers['if-none-match'], picture.etag)) {
      res.status(304).end();
      return;
    }
    res.type('image/svg+xml').send(picture.svg);
  });
  return router;
}

/** If-None-Match holds `*` or a list of (possibly weak) tags; any match means "you have it". */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
