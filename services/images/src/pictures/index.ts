export { PictureGallery, PICTURES_PATH, seedPictureUrls, type Picture } from './gallery.js';
export { pictureRoutes } from './routes.js';
export { SEED_PICTURES, describe, llamaTraits, pictureFileName, type LlamaTraits } from './traits.js';
export { drawLlama } from './draw.js';
