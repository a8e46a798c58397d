/**
 * Alt text for a catalog URL. The seed pictures carry their description in their name
 * (`/pictures/7-brown-llama-grazing-in-the-andes.svg` → "A brown llama grazing in the andes");
 * an uploaded picture is described by where it comes from.
 */
export function altText(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'A llama picture';
  }
  const seeded = /\/pictures\/\d+-([a-z0-9-]+)\.svg$/.exec(parsed.pathname);
  if (seeded) return `A ${seeded[1]!.replace(/-/g, ' ')}`;
  const file = decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
  return `A picture uploaded from ${parsed.host}${file ? ` (${file})` : ''}`;
}
