export { createImagesApp, type ImagesApp, type ImagesAppOptions } from './app.js';
export { ImageCatalog, toImage, type CatalogHealth, type CatalogOptions, type Image } from './catalog.js';
export { ImageStore, type ImageDoc, type InsertOutcome } from './image-store.js';
export { loadImagesConfig, imagesSettings, type ImagesConfig } from './config.js';
export { llamaCatalog } from './domain/llamas.js';
export { LazyPermutation, type Random } from './domain/sampling.js';
export { UrlTable } from './domain/url-table.js';
export { judgeHost, type HostVerdict } from './domain/public-host.js';
export { parseCount, parseImageId, parseImageUpload, MAX_URL_LENGTH } from './domain/validation.js';
export {
  PictureGallery,
  PICTURES_PATH,
  SEED_PICTURES,
  describe,
  drawLlama,
  llamaTraits,
  pictureFileName,
  pictureRoutes,
  seedPictureUrls,
} from './pictures/index.js';
export { DEFAULT_PUBLIC_BASE_URL } from './pictures/public-base-url.js';
