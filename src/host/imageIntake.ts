// The host's side of pasted images: what the webview sends is checked again here (the type by its bytes,
// the caps), named by the hash of its bytes and kept with the question. No vscode: unit-tested in Node.
import { createHash } from 'crypto';
import type { ChatImage, OutgoingImage } from '../protocol';
import { checkPrepared, MAX_THUMBNAIL_BYTES, parseImageDataUrl, sniffImage } from '../core/images';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decode(base64: string): Uint8Array | undefined {
  return base64.length % 4 === 0 && BASE64.test(base64) ? Buffer.from(base64, 'base64') : undefined;
}

/** A preview the view may show: a data: URL of a PNG, JPEG or WebP whose bytes say so; else none. */
function safeThumbnail(url: string): string {
  const parsed = parseImageDataUrl(url);
  const bytes = parsed && decode(parsed.base64);
  if (!parsed || !bytes || bytes.length > MAX_THUMBNAIL_BYTES || parsed.mime === 'image/gif' || sniffImage(bytes) !== parsed.mime) return '';
  return url;
}

/** The images to keep with the question, and why any were left out (said to the user). */
export function intakeImages(images: readonly OutgoingImage[]): { images: ChatImage[]; refused: string[] } {
  const out: ChatImage[] = [];
  const refused: string[] = [];
  for (const i of images) {
    const name = i.name.replace(/[\u0000-\u001f]/g, ' ').trim().slice(0, 120) || 'image';
    const bytes = decode(i.data);
    const checked = bytes ? checkPrepared(bytes) : { ok: false as const, reason: 'not base64' };
    if (!bytes || !checked.ok) {
      refused.push(`${name}: ${checked.ok ? 'not base64' : checked.reason}`);
      continue;
    }
    const id = createHash('sha256').update(bytes).digest('hex');
    if (out.some(o => o.id === id)) continue;
    const { mime, width, height } = checked.info;
    out.push({ id, name, mime, width, height, bytes: bytes.length, thumbnail: safeThumbnail(i.thumbnail), data: i.data });
  }
  return { images: out, refused };
}
