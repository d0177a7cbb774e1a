// Turns a pasted or dropped file into an image Tandem can send: the type is read from the bytes
// (core/images.ts), an image within the caps is sent byte for byte, a larger one (or a GIF, as its first
// frame) is decoded and scaled down on a canvas, re-encoded until it fits, or refused with the reason.
// Also makes the small thumbnail the chip and the question show.

import type { OutgoingImage } from '../protocol';
import { fitWithin, imageTokens, MAX_IMAGE_BYTES, MAX_SOURCE_BYTES, MAX_THUMBNAIL_BYTES, planImage, THUMBNAIL_SIDE, checkPrepared } from '../core/images';
import { strings } from './strings';

export interface PreparedImage extends OutgoingImage {
  width: number;
  height: number;
  bytes: number;
  tokens: number;
  /** What was done to it, for the chip's tooltip ("scaled from 6000×4000"). */
  note?: string;
}

export type Prepared = { ok: true; image: PreparedImage } | { ok: false; name: string; reason: string };

/** Below this longest side a picture is not made smaller to fit the byte cap: it is refused instead. */
const MIN_SIDE = 512;
/** Each round of recompression that still does not fit shrinks the picture by this much. */
const SHRINK = 0.75;
const JPEG_QUALITIES = [0.9, 0.8, 0.7];

function blobBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(blob);
  });
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob | null> {
  return new Promise(resolve => canvas.toBlob(resolve, type, quality));
}

/** The picture on a canvas of the given size; `opaque` paints white under it (JPEG has no transparency). */
function draw(bitmap: ImageBitmap, width: number, height: number, opaque: boolean): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  if (opaque) {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
  }
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/**
 * Encodes until the bytes fit MAX_IMAGE_BYTES: PNG first for a picture that was lossless (a screenshot
 * stays sharp), then JPEG at falling quality, then the same at a smaller size.
 */
async function encodeToFit(bitmap: ImageBitmap, width: number, height: number, lossless: boolean): Promise<{ blob: Blob; width: number; height: number } | undefined> {
  let w = width;
  let h = height;
  for (;;) {
    if (lossless) {
      const png = await canvasBlob(draw(bitmap, w, h, false), 'image/png');
      if (png && png.size <= MAX_IMAGE_BYTES) return { blob: png, width: w, height: h };
    }
    const opaque = draw(bitmap, w, h, true);
    for (const q of JPEG_QUALITIES) {
      const jpeg = await canvasBlob(opaque, 'image/jpeg', q);
      if (jpeg && jpeg.size <= MAX_IMAGE_BYTES) return { blob: jpeg, width: w, height: h };
    }
    if (Math.max(w, h) * SHRINK < MIN_SIDE) return undefined;
    w = Math.max(1, Math.round(w * SHRINK));
    h = Math.max(1, Math.round(h * SHRINK));
  }
}

/** A small preview: WebP where the browser writes it, else JPEG; within MAX_THUMBNAIL_BYTES. */
async function thumbnail(bitmap: ImageBitmap): Promise<string> {
  const size = fitWithin(bitmap.width, bitmap.height, THUMBNAIL_SIDE);
  const canvas = draw(bitmap, size.width, size.height, false);
  let blob = await canvasBlob(canvas, 'image/webp', 0.8);
  if (!blob || blob.type !== 'image/webp' || blob.size > MAX_THUMBNAIL_BYTES) blob = await canvasBlob(draw(bitmap, size.width, size.height, true), 'image/jpeg', 0.7);
  if (!blob) return '';
  return `data:${blob.type};base64,${await blobBase64(blob)}`;
}

function dimensions(width: number, height: number): string {
  return `${width}×${height}`;
}

/** Prepares one file; never throws (a failure is a refusal with its reason). */
export async function prepareImage(file: Blob, name: string): Promise<Prepared> {
  const refuse = (reason: string): Prepared => ({ ok: false, name, reason });
  // Before reading it: a huge file is not pulled into memory at all.
  if (file.size > MAX_SOURCE_BYTES) return refuse(strings.imageTooLargeFile(file.size, MAX_SOURCE_BYTES));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    return refuse(strings.imageUnreadable);
  }
  const plan = planImage(bytes, file.type);
  if (plan.kind === 'refuse') return refuse(plan.reason);
  // Decoded from the bytes we checked, under the type they have (not the one the clipboard claimed).
  const source = new Blob([bytes], { type: plan.info.mime });
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source);
  } catch {
    return refuse(strings.imageUnreadable);
  }
  try {
    const { width: w0, height: h0, mime } = plan.info;
    if (plan.kind === 'asIs') {
      const data = await blobBase64(source);
      return { ok: true, image: { name, data, thumbnail: await thumbnail(bitmap), width: w0, height: h0, bytes: bytes.length, tokens: imageTokens(w0, h0) } };
    }
    const fitted = await encodeToFit(bitmap, plan.width, plan.height, mime === 'image/png' || mime === 'image/gif');
    if (!fitted) return refuse(strings.imageCannotShrink(MAX_IMAGE_BYTES));
    const out = new Uint8Array(await fitted.blob.arrayBuffer());
    const checked = checkPrepared(out);
    if (!checked.ok) return refuse(checked.reason);
    const notes: string[] = [];
    if (mime === 'image/gif') notes.push(strings.imageGifFirstFrame);
    if (fitted.width !== w0 || fitted.height !== h0) notes.push(strings.imageScaled(dimensions(w0, h0), dimensions(fitted.width, fitted.height)));
    else if (checked.info.mime !== mime) notes.push(strings.imageRecompressed(checked.info.mime));
    return {
      ok: true,
      image: {
        name,
        data: await blobBase64(fitted.blob),
        thumbnail: await thumbnail(bitmap),
        width: fitted.width,
        height: fitted.height,
        bytes: out.length,
        tokens: imageTokens(fitted.width, fitted.height),
        note: notes.join('; ') || undefined,
      },
    };
  } catch {
    return refuse(strings.imageUnreadable);
  } finally {
    bitmap.close();
  }
}

/** The image files among what was pasted or dropped; `File`s without an image type are kept too (checked by bytes). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files: File[] = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue;
    const f = item.getAsFile();
    if (f) files.push(f);
  }
  if (files.length === 0) files.push(...Array.from(data.files ?? []));
  return files;
}

/** Screenshot tools paste "image.png"; a file without a name gets a numbered one. */
export function imageName(file: File, index: number): string {
  return file.name.trim() || `image-${index + 1}`;
}
