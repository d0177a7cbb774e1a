// Pasted images in the chat webview, in headless Chromium under the CSP VS Code gives it: a real paste
// (ClipboardEvent with a File) and a real drop make thumbnail chips; a 30 MB picture is scaled down to
// what is sent, files that cannot be sent are refused with the reason; chips are removed by keyboard;
// the question shows its thumbnails; answers still load no image, remote or data:.
// Build first: node esbuild.js.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatMessage, HostMessage, OutgoingImage, WebviewMessage } from '../../src/protocol';
import { imageInfo, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE } from '../../src/core/images';
import { png } from '../fixtures/images';
import { launchIsolated, ROOT, startServer, WebviewPage, type TestServer } from './webviewPage';

const SHOTS = path.join(ROOT, 'test-results');
/** A one-pixel GIF89a. */
const GIF_1PX = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

function state(conversationId: string, messages: ChatMessage[]): HostMessage {
  return { type: 'state', state: { conversation: { id: conversationId, title: 'Images', messages }, model: 'openai · gpt-4.1', streaming: false } };
}

interface FileSpec {
  name: string;
  type: string;
  /** base64 content, or `noise` (a PNG of random pixels made in the page), or `zeros` bytes of zeros. */
  base64?: string;
  noise?: { width: number; height: number };
  zeros?: number;
}

/**
 * Runs in the page: builds Files and delivers them as a paste on the question box or a drop on the
 * composer, the events a user's Ctrl+V or drag and drop fire. Returns the files' sizes and whether the
 * view took the event (preventDefault).
 */
const DELIVER = `async ({ how, files, text }) => {
  const make = async spec => {
    if (spec.base64 !== undefined) {
      const bin = atob(spec.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return new File([bytes], spec.name, { type: spec.type });
    }
    if (spec.zeros !== undefined) return new File([new Uint8Array(spec.zeros)], spec.name, { type: spec.type });
    const { width, height } = spec.noise;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    const pixels = ctx.createImageData(width, height);
    for (let i = 0; i < pixels.data.length; i += 65536) crypto.getRandomValues(pixels.data.subarray(i, i + 65536));
    for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
    ctx.putImageData(pixels, 0, 0);
    const blob = await new Promise(r => canvas.toBlob(r, 'image/png'));
    return new File([blob], spec.name, { type: spec.type });
  };
  const dt = new DataTransfer();
  const made = [];
  for (const spec of files) {
    const f = await make(spec);
    made.push(f.size);
    dt.items.add(f);
  }
  if (text) dt.setData('text/plain', text);
  let event;
  if (how === 'paste') {
    event = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
    document.getElementById('prompt').dispatchEvent(event);
  } else {
    const target = document.querySelector('.composer');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    event = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
  }
  return { sizes: made, taken: event.defaultPrevented };
}`;

suite('Pasted images in the chat webview (Chromium)', function () {
  this.timeout(120000);
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let view: WebviewPage;
  const requests: string[] = [];
  const errors: string[] = [];

  async function deliver(how: 'paste' | 'drop', files: FileSpec[], text = ''): Promise<{ sizes: number[]; taken: boolean }> {
    return page.evaluate(`(${DELIVER})(${JSON.stringify({ how, files, text })})`);
  }

  /** Waits until no image is being prepared (the status no longer says so). */
  async function settled(): Promise<void> {
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
      return !/Preparing/.test(doc.getElementById('image-status')?.textContent ?? '');
    }, undefined, { timeout: 90_000 });
  }

  async function lastAsk(): Promise<Extract<WebviewMessage, { type: 'ask' }>> {
    const asks = (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: 'ask' }> => m.type === 'ask');
    assert.ok(asks.length > 0, 'an ask was posted');
    return asks[asks.length - 1];
  }

  async function send(text: string): Promise<OutgoingImage[]> {
    await view.clearPosted();
    await page.locator('#prompt').fill(text);
    await page.locator('#prompt').press('Enter');
    return (await lastAsk()).images ?? [];
  }

  suiteSetup(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webview.js')), 'dist/webview.js is missing: run node esbuild.js');
    server = await startServer();
    ({ browser, context } = await launchIsolated(server, requests));
    page = await context.newPage();
    page.on('pageerror', e => errors.push(e.message));
    await page.goto(`${server.origin}/`);
    await page.waitForSelector('#prompt');
    view = new WebviewPage(page);
    await view.send(state('c-img', []));
  });

  suiteTeardown(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a pasted image (ClipboardEvent with a File) and a dropped one become thumbnail chips; the ask carries the exact bytes', async () => {
    const shot = png(320, 200);
    const pasted = await deliver('paste', [{ name: 'shot.png', type: 'image/png', base64: shot.toString('base64') }]);
    assert.strictEqual(pasted.taken, true, 'the paste was handled by the view');
    await settled();
    const chip = page.locator('.image-chip');
    assert.strictEqual(await chip.count(), 1);
    assert.match((await chip.getAttribute('aria-label')) ?? '', /^Image shot\.png, \d+ KB, 320×200$/);
    assert.strictEqual(await chip.locator('.image-chip-remove').getAttribute('aria-label'), `Remove ${await chip.getAttribute('aria-label')}`);
    // The thumbnail is a data: image that the CSP lets through and that really decoded.
    const thumb = chip.locator('img.image-thumb');
    assert.match((await thumb.getAttribute('src')) ?? '', /^data:image\/(webp|jpeg);base64,/);
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector('.image-chip img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.strictEqual(await page.locator('#token-estimate').textContent(), '≈255 tokens', 'one 512-px tile and the base, by OpenAI\'s rule');

    const dropped = await deliver('drop', [{ name: 'tiny.gif', type: 'image/gif', base64: GIF_1PX }]);
    assert.strictEqual(dropped.taken, true, 'the drop was handled');
    await settled();
    assert.strictEqual(await chip.count(), 2);
    assert.match((await chip.nth(1).getAttribute('title')) ?? '', /GIF: its first frame is sent, as a PNG/);

    // Text on the clipboard wins: the picture an office program puts beside it is not attached.
    const withText = await deliver('paste', [{ name: 'cell.png', type: 'image/png', base64: shot.toString('base64') }], 'A1: 42');
    assert.strictEqual(withText.taken, false);
    assert.strictEqual(await chip.count(), 2);

    await page.screenshot({ path: path.join(SHOTS, 'images-composer.png') });
    const images = await send('What is wrong in this dialog?');
    assert.strictEqual(images.length, 2);
    assert.strictEqual(images[0].name, 'shot.png');
    assert.strictEqual(images[0].data, shot.toString('base64'), 'an image within the caps is sent byte for byte');
    const gif = Buffer.from(images[1].data, 'base64');
    assert.deepStrictEqual(imageInfo(gif), { mime: 'image/png', width: 1, height: 1 }, 'the GIF went as a PNG of its frame');
    assert.strictEqual(await chip.count(), 0, 'the chips went with the question');
    assert.ok(await page.locator('#token-estimate').isHidden());
  });

  test('a 30 MB image is scaled down to 2048 px and under the byte cap; a 60 MB file and a file that is not an image are refused with the reason', async () => {
    const big = await deliver('paste', [{ name: 'huge-noise.png', type: 'image/png', noise: { width: 3500, height: 2600 } }]);
    assert.ok(big.sizes[0] >= 30_000_000, `the generated PNG is ${big.sizes[0]} bytes`);
    await settled();
    const chip = page.locator('.image-chip');
    assert.strictEqual(await chip.count(), 1);
    const title = (await chip.getAttribute('title')) ?? '';
    assert.match(title, /Scaled down from 3500×2600 to \d+×\d+/);
    const images = await send('Describe the noise.');
    const bytes = Buffer.from(images[0].data, 'base64');
    const info = imageInfo(bytes);
    assert.ok(info, 'a real image was sent');
    assert.ok(bytes.length <= MAX_IMAGE_BYTES, `${bytes.length} bytes sent`);
    assert.ok(Math.max(info.width, info.height) <= MAX_IMAGE_SIDE, `${info.width}×${info.height}`);
    assert.ok(Math.abs(info.width / info.height - 3500 / 2600) < 0.01, 'the aspect ratio is kept');
    assert.ok(title.includes(`to ${info.width}×${info.height}`), 'the chip says the size that is sent');

    await deliver('drop', [
      { name: 'huge.png', type: 'image/png', zeros: 60 * 1024 * 1024 },
      { name: 'notes.png', type: 'image/png', base64: Buffer.from('not a picture at all').toString('base64') },
    ]);
    await settled();
    assert.strictEqual(await chip.count(), 0);
    const status = page.locator('#image-status');
    assert.ok(await status.isVisible());
    assert.strictEqual(await status.getAttribute('role'), 'status');
    const said = (await status.textContent()) ?? '';
    assert.match(said, /huge\.png was not attached: The file is 60\.0 MB; images up to 50\.0 MB can be attached\./);
    assert.match(said, /notes\.png was not attached: Not a PNG, JPEG, WebP or GIF image \(it says image\/png, but its content is not one of them\)\./);
  });

  test('keyboard: Tab reaches a chip\'s remove button, Delete removes it and focus moves on; an image alone asks for a question', async () => {
    await view.send(state('c-img', []));
    const a = png(40, 40).toString('base64');
    const b = png(41, 40).toString('base64');
    await deliver('paste', [{ name: 'a.png', type: 'image/png', base64: a }, { name: 'b.png', type: 'image/png', base64: b }]);
    await settled();
    const chip = page.locator('.image-chip');
    assert.strictEqual(await chip.count(), 2);
    await page.locator('#prompt').fill('');
    await page.locator('#prompt').press('Enter');
    assert.strictEqual(await page.locator('#image-status').textContent(), 'Type a question to send with the image.');
    assert.strictEqual(await chip.count(), 2, 'nothing was sent or lost');

    // From the box backwards: the chips' remove buttons sit before it.
    await page.locator('#prompt').focus();
    await page.keyboard.press('Shift+Tab');
    assert.match((await view.focused())?.label ?? '', /^Remove Image b\.png/);
    await page.keyboard.press('Delete');
    assert.strictEqual(await chip.count(), 1);
    assert.match((await view.focused())?.label ?? '', /^Remove Image a\.png/, 'focus moved to the chip left');
    await page.keyboard.press('Enter'); // a button's own key works too
    assert.strictEqual(await chip.count(), 0);
    assert.strictEqual((await view.focused())?.id, 'prompt', 'the last one gone: back to the box');
    assert.ok(await page.locator('#image-status').isHidden(), 'the hint went with the images');
  });

  test('at most five images go with one question: a sixth is refused with the reason, also when two pastes overlap', async () => {
    await view.send(state('c-img', []));
    const file = (i: number): FileSpec => ({ name: `s${i}.png`, type: 'image/png', base64: png(20 + i, 20).toString('base64') });
    // Two pastes in a row, the second arriving while the first is still being prepared.
    await Promise.all([deliver('paste', [1, 2, 3].map(file)), deliver('paste', [4, 5, 6].map(file))]);
    await settled();
    assert.strictEqual(await page.locator('.image-chip').count(), 5);
    assert.match((await page.locator('#image-status').textContent()) ?? '', /s\d\.png was not attached: at most 5 images go with one question\./);
    const images = await send('Which differ?');
    assert.strictEqual(images.length, 5);
  });

  test('the question shows its thumbnails; a thumbnail that is not a data: image, and any image in an answer, never loads', async () => {
    const before = requests.length;
    const thumb = `data:image/png;base64,${png(160, 100).toString('base64')}`;
    const image = { id: 'h1', name: 'dialog.png', mime: 'image/png' as const, width: 1280, height: 800, bytes: 90_000, thumbnail: thumb };
    await view.send(state('c-thumbs', [
      { id: 'q1', role: 'user', text: 'What is wrong here?', streaming: false, images: [
        image,
        { ...image, id: 'h2', name: 'remote.png', thumbnail: 'https://example.invalid/track.png' },
        { ...image, id: 'h3', name: 'vector.png', thumbnail: `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>').toString('base64')}` },
        { ...image, id: 'h4', name: 'script.png', thumbnail: 'javascript:window.__pwned=1' },
      ] },
      { id: 'a1', role: 'assistant', text: `Look: ![tracker](https://example.invalid/pixel.png) ![inline](${thumb})`, streaming: false },
    ]));
    const shown = page.locator('.message[data-id="q1"] .message-images img');
    assert.strictEqual(await shown.count(), 1);
    assert.strictEqual(await shown.getAttribute('alt'), 'Image dialog.png, 1280×800');
    assert.strictEqual(await shown.getAttribute('src'), thumb);
    const placeholders = page.locator('.message[data-id="q1"] .message-image[role="img"]');
    assert.deepStrictEqual(await placeholders.evaluateAll(els => els.map(e => e.getAttribute('aria-label'))), ['Image remote.png, 1280×800', 'Image vector.png, 1280×800', 'Image script.png, 1280×800'], 'named, not loaded');
    assert.strictEqual(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.strictEqual(await page.locator('.message[data-id="a1"] img').count(), 0, 'an answer renders no image');
    assert.match((await page.locator('.message[data-id="a1"]').textContent()) ?? '', /\[image: tracker\]/, 'named, not loaded');
    // A state without the images (Remove Image and Retry) takes the thumbnails away.
    await view.send(state('c-thumbs', [{ id: 'q1', role: 'user', text: 'What is wrong here?', streaming: false }]));
    assert.strictEqual(await page.locator('.message[data-id="q1"] .message-images').count(), 0);
    await view.send(state('c-thumbs', [{ id: 'q1', role: 'user', text: 'What is wrong here?', streaming: false, images: [image] }]));
    await page.screenshot({ path: path.join(SHOTS, 'images-question.png') });
    assert.deepStrictEqual(requests.slice(before).filter(u => !u.startsWith(`${server.origin}/`)), []);
    assert.deepStrictEqual(await view.violations(), []);
    assert.deepStrictEqual(errors, []);
  });
});
