import { altText } from './alt-text.js';
import { h } from './dom.js';

/** Replaces the grid with one batch of pictures. */
export function renderBatch(grid: HTMLElement, urls: readonly string[]): void {
  grid.replaceChildren(
    ...urls.map((url) => {
      const img = h('img', { src: url, alt: altText(url), width: '200', height: '200', decoding: 'async' });
      img.addEventListener('error', () => img.closest('li')?.classList.add('broken'), { once: true });
      return h('li', {}, h('figure', {}, img));
    }),
  );
}
