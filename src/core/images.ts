// Pasted images: which files are images (by their bytes, not by what the clipboard or a file name claims),
// how large they may be, what one costs in tokens, and whether a server's error means it takes no
// images. Pure: the webview prepares images with it, the host checks them again at its boundary.
import { MAX_OUTGOING_IMAGES } from '../protocol';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
export const IMAGE_MIMES: readonly ImageMime[] = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** What is sent: a GIF becomes a PNG of its first frame first. */
export type SentMime = Exclude<ImageMime, 'image/gif'>;

/**
 * What is sent. The longest side follows OpenAI's own first scaling step (2048 px), so nothing the model
 * would see is lost. 3 MiB of bytes (4 MiB as base64) stays under the smallest limit of the providers
 * Tandem knows (Groq: 4 MB of base64 per image); larger images are scaled down or recompressed first.
 */
export const MAX_IMAGE_SIDE = 2048;
export const MAX_IMAGE_BYTES = 3 * 1024 * 1024;
/** A file larger than this is refused before it is read; a picture with more pixels before it is decoded. */
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
export const MAX_SOURCE_PIXELS = 64_000_000;
/** Images one question may carry (local vision models often take only a few). */
export const MAX_IMAGES = MAX_OUTGOING_IMAGES;
/** The thumbnail shown in the chip and the question, made by the webview; the host caps what it keeps. */
export const THUMBNAIL_SIDE = 160;
export const MAX_THUMBNAIL_BYTES = 96 * 1024;

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The image type the bytes start with, whatever the file or clipboard said. */
export function sniffImage(b: Uint8Array): ImageMime | undefined {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

const be16 = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const le16 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const le24 = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const be32 = (b: Uint8Array, i: number): number => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];

/** JPEG: the first start-of-frame segment holds the size; it may come after large EXIF segments. */
function jpegSize(b: Uint8Array): [number, number] | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // no length
      continue;
    }
    const length = be16(b, i + 2);
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return [be16(b, i + 7), be16(b, i + 5)];
    if (marker === 0xda || length < 2) return undefined; // image data before any frame header
    i += 2 + length;
  }
  return undefined;
}

function webpSize(b: Uint8Array): [number, number] | undefined {
  if (ascii(b, 12, 'VP8 ') && b.length >= 30) return [le16(b, 26) & 0x3fff, le16(b, 28) & 0x3fff];
  if (ascii(b, 12, 'VP8L') && b.length >= 25 && b[20] === 0x2f) {
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (ascii(b, 12, 'VP8X') && b.length >= 30) return [le24(b, 24) + 1, le24(b, 27) + 1];
  return undefined;
}

/** Type and size from the file's header, without decoding it; undefined when it is not an image we take. */
export function imageInfo(b: Uint8Array): ImageInfo | undefined {
  const mime = sniffImage(b);
  let size: [number, number] | undefined;
  switch (mime) {
    case 'image/png':
      size = b.length >= 24 && ascii(b, 12, 'IHDR') ? [be32(b, 16), be32(b, 20)] : undefined;
      break;
    case 'image/gif':
      size = b.length >= 10 ? [le16(b, 6), le16(b, 8)] : undefined;
      break;
    case 'image/jpeg':
      size = jpegSize(b);
      break;
    case 'image/webp':
      size = webpSize(b);
      break;
    default:
      return undefined;
  }
  if (!mime || !size || size[0] <= 0 || size[1] <= 0) return undefined;
  return { mime, width: size[0], height: size[1] };
}

/** The size an image is scaled to so its longest side is at most `max`, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, max = MAX_IMAGE_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** What a pasted file needs before it can be sent. */
export type ImagePlan =
  | { kind: 'asIs'; info: ImageInfo }
  /** Decoded and encoded again: larger than MAX_IMAGE_SIDE or MAX_IMAGE_BYTES, or a GIF (first frame only). */
  | { kind: 'reencode'; info: ImageInfo; width: number; height: number }
  | { kind: 'refuse'; reason: string };

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`;
}

/**
 * The size rules. A PNG, JPEG or WebP within both caps is sent byte for byte. A GIF is sent as a PNG of
 * its first frame: animated GIFs are refused by OpenAI and read as one frame by llama.cpp, so one frame
 * is what every server would see anyway, and a PNG is accepted by all of them.
 */
export function planImage(bytes: Uint8Array, claimedType = ''): ImagePlan {
  if (bytes.length > MAX_SOURCE_BYTES) return { kind: 'refuse', reason: `The file is ${mb(bytes.length)}; images up to ${mb(MAX_SOURCE_BYTES)} can be attached.` };
  const info = imageInfo(bytes);
  if (!info) {
    const said = claimedType.startsWith('image/') ? ` (it says ${claimedType}, but its content is not one of them)` : '';
    return { kind: 'refuse', reason: `Not a PNG, JPEG, WebP or GIF image${said}.` };
  }
  if (info.width * info.height > MAX_SOURCE_PIXELS) {
    return { kind: 'refuse', reason: `${info.width}×${info.height} pixels is too large to scale down here (at most ${MAX_SOURCE_PIXELS / 1_000_000} megapixels).` };
  }
  const fit = fitWithin(info.width, info.height);
  if (info.mime !== 'image/gif' && fit.width === info.width && fit.height === info.height && bytes.length <= MAX_IMAGE_BYTES) return { kind: 'asIs', info };
  return { kind: 'reencode', info, ...fit };
}

/** The checks the host makes on what the webview sends: a type we take, within the caps sent. */
export function checkPrepared(bytes: Uint8Array): { ok: true; info: ImageInfo & { mime: SentMime } } | { ok: false; reason: string } {
  const found = imageInfo(bytes);
  if (!found || found.mime === 'image/gif') return { ok: false, reason: 'not a PNG, JPEG or WebP image' };
  const info = { ...found, mime: found.mime };
  if (bytes.length > MAX_IMAGE_BYTES) return { ok: false, reason: `larger than ${mb(MAX_IMAGE_BYTES)}` };
  if (Math.max(info.width, info.height) > MAX_IMAGE_SIDE) return { ok: false, reason: `larger than ${MAX_IMAGE_SIDE} pixels on a side` };
  return { ok: true, info };
}

/**
 * Tokens one image costs, by OpenAI's published rule for high detail (GPT-4o, GPT-4.1): fit in 2048×2048,
 * scale the shorter side down to 768, then 170 per 512-px tile plus 85. Other models count differently
 * (a llava model takes a fixed 576); this is the estimate the composer and the fitting use for all.
 */
export function imageTokens(width: number, height: number): number {
  let { width: w, height: h } = fitWithin(width, height, 2048);
  const shorter = Math.min(w, h);
  if (shorter > 768) {
    w = Math.round((w * 768) / shorter);
    h = Math.round((h * 768) / shorter);
  }
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
}

export function dataUrl(mime: string, base64: string): string {
  return `data:${mime};base64,${base64}`;
}

const DATA_URL = /^data:(image\/(?:png|jpeg|webp|gif));base64,([A-Za-z0-9+/]*={0,2})$/;

/** The parts of a base64 data: URL of one of our image types; anything else (remote, script, svg) gives undefined. */
export function parseImageDataUrl(url: string): { mime: ImageMime; base64: string } | undefined {
  const m = DATA_URL.exec(url);
  return m && m[2].length % 4 === 0 ? { mime: m[1] as ImageMime, base64: m[2] } : undefined;
}

/**
 * Whether a server's error says the model cannot take images (asked only when the request had some): the
 * OpenAI API, Ollama, llama.cpp, LM Studio, vLLM and OpenRouter each word it differently.
 */
export function rejectsImages(message: string): boolean {
  return /image_url is only supported|image input|does ?n[o']t support (?:image|vision)|not support(?:ed)? (?:image|vision)|images? (?:are|is) not supported|missing data required for image|vision (?:is )?not (?:supported|enabled)|not a multimodal|multimodal (?:is )?not|at most 0 image|mmproj|support image|unsupported content type|invalid content type/i.test(message);
}
