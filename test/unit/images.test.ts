// Pasted images below the view: the type read from the bytes, the size rules, the token estimate, the
// words that mean "this model takes no images", the host's second check, the plan and the wire shape,
// and history keeping each image once.
import * as assert from 'assert';
import { createHash } from 'crypto';
import type { ChatImage, ChatMessage } from '../../src/protocol';
import { checkPrepared, imageInfo, imageTokens, MAX_IMAGE_BYTES, MAX_SOURCE_BYTES, parseImageDataUrl, planImage, rejectsImages, sniffImage } from '../../src/core/images';
import { planRequest } from '../../src/core/requestPlan';
import { requestBody } from '../../src/llm/stream';
import { intakeImages } from '../../src/host/imageIntake';
import { compactEvents, replay, storedMessage } from '../../src/host/historyStore';
import { parseWebviewMessage } from '../../src/protocol';
import { gifHeader, jpegHeader, png, webpHeader } from '../fixtures/images';

const KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');

function image(bytes: Buffer, extra: Partial<ChatImage> = {}): ChatImage {
  const info = imageInfo(bytes);
  assert.ok(info);
  return {
    id: createHash('sha256').update(bytes).digest('hex'),
    name: 'shot.png',
    mime: 'image/png',
    width: info.width,
    height: info.height,
    bytes: bytes.length,
    thumbnail: `data:image/png;base64,${png(4, 4).toString('base64')}`,
    data: bytes.toString('base64'),
    ...extra,
  };
}

suite('core/images', () => {
  test('the type comes from the magic bytes, whatever the name or MIME type claims', () => {
    assert.strictEqual(sniffImage(png(2, 2)), 'image/png');
    assert.strictEqual(sniffImage(jpegHeader(10, 10)), 'image/jpeg');
    assert.strictEqual(sniffImage(gifHeader(1, 1)), 'image/gif');
    assert.strictEqual(sniffImage(webpHeader('VP8 ', 5, 5)), 'image/webp');
    assert.strictEqual(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
    assert.strictEqual(sniffImage(Buffer.from('BM\0\0\0\0')), undefined, 'BMP is not taken');
    assert.strictEqual(sniffImage(Buffer.from('RIFF\0\0\0\0WAVE')), undefined, 'a RIFF that is not WebP');
    assert.strictEqual(sniffImage(png(2, 2).subarray(0, 7)), undefined, 'a truncated signature');
    const lie = planImage(Buffer.from('just text, saved as a .png'), 'image/png');
    assert.strictEqual(lie.kind, 'refuse');
    assert.match(lie.kind === 'refuse' ? lie.reason : '', /Not a PNG, JPEG, WebP or GIF image \(it says image\/png, but its content is not one of them\)/);
  });

  test('the size is read from each format\'s header without decoding', () => {
    assert.deepStrictEqual(imageInfo(png(300, 200)), { mime: 'image/png', width: 300, height: 200 });
    assert.deepStrictEqual(imageInfo(gifHeader(640, 480)), { mime: 'image/gif', width: 640, height: 480 });
    assert.deepStrictEqual(imageInfo(jpegHeader(4032, 3024)), { mime: 'image/jpeg', width: 4032, height: 3024 }, 'after APP0 and EXIF');
    assert.deepStrictEqual(imageInfo(jpegHeader(1200, 800, 0xc2)), { mime: 'image/jpeg', width: 1200, height: 800 }, 'progressive');
    assert.deepStrictEqual(imageInfo(webpHeader('VP8 ', 1920, 1080)), { mime: 'image/webp', width: 1920, height: 1080 });
    assert.deepStrictEqual(imageInfo(webpHeader('VP8L', 5000, 16000)), { mime: 'image/webp', width: 5000, height: 16000 });
    assert.deepStrictEqual(imageInfo(webpHeader('VP8X', 20000, 3)), { mime: 'image/webp', width: 20000, height: 3 });
    assert.strictEqual(imageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2])), undefined, 'image data before any frame header');
  });

  test('size rules: sent as is within the caps; larger or GIF re-encoded to fit 2048 px keeping the aspect; too large refused', () => {
    const small = planImage(png(800, 600));
    assert.strictEqual(small.kind, 'asIs');
    const wide = planImage(png(3000, 1000));
    assert.deepStrictEqual(wide.kind === 'reencode' ? [wide.width, wide.height] : wide, [2048, 683]);
    const tall = planImage(jpegHeader(1000, 4096));
    assert.deepStrictEqual(tall.kind === 'reencode' ? [tall.width, tall.height] : tall, [500, 2048]);
    const gif = planImage(gifHeader(100, 100));
    assert.deepStrictEqual(gif.kind === 'reencode' ? [gif.width, gif.height] : gif, [100, 100], 'a GIF becomes a PNG of its first frame');
    const heavy = Buffer.concat([png(100, 100), Buffer.alloc(MAX_IMAGE_BYTES)]);
    assert.strictEqual(planImage(heavy).kind, 'reencode', 'within 2048 px but over the byte cap');
    const huge = planImage(Buffer.alloc(MAX_SOURCE_BYTES + 1));
    assert.match(huge.kind === 'refuse' ? huge.reason : '', /The file is 50 MB; images up to 50 MB can be attached/);
    const pixels = planImage(webpHeader('VP8L', 16000, 16000));
    assert.match(pixels.kind === 'refuse' ? pixels.reason : '', /16000×16000 pixels is too large to scale down here \(at most 64 megapixels\)/);
  });

  test('the host checks again what it is sent: PNG, JPEG or WebP, within the caps', () => {
    assert.strictEqual(checkPrepared(png(2048, 10)).ok, true);
    assert.deepStrictEqual(checkPrepared(png(2049, 10)), { ok: false, reason: 'larger than 2048 pixels on a side' });
    assert.deepStrictEqual(checkPrepared(gifHeader(10, 10)), { ok: false, reason: 'not a PNG, JPEG or WebP image' });
    assert.deepStrictEqual(checkPrepared(Buffer.concat([png(10, 10), Buffer.alloc(MAX_IMAGE_BYTES)])), { ok: false, reason: 'larger than 3.0 MB' });
  });

  test('tokens per image follow OpenAI\'s published high-detail rule', () => {
    assert.strictEqual(imageTokens(1024, 1024), 765); // the documentation's examples
    assert.strictEqual(imageTokens(2048, 4096), 1105);
    assert.strictEqual(imageTokens(512, 512), 255);
    assert.strictEqual(imageTokens(100, 50), 255);
  });

  test('only data: URLs of our image types pass as thumbnails', () => {
    assert.deepStrictEqual(parseImageDataUrl('data:image/png;base64,iVBORw0KGgo='), { mime: 'image/png', base64: 'iVBORw0KGgo=' });
    for (const bad of ['https://example.com/x.png', 'data:image/svg+xml;base64,PHN2Zz4=', 'javascript:alert(1)', 'data:image/png;base64,abc', 'data:image/png,raw', ' data:image/png;base64,iVBORw0KGgo=']) {
      assert.strictEqual(parseImageDataUrl(bad), undefined, bad);
    }
  });

  test('the words servers use to refuse images are recognised; other errors are not', () => {
    for (const said of [
      'Invalid content type. image_url is only supported by certain models.', // OpenAI
      'this model is missing data required for image input', // Ollama, a model without a projector
      'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj', // llama.cpp
      'Model does not support images. Please use a model that does.', // LM Studio
      'At most 0 image(s) may be provided in one request.', // vLLM
      'No endpoints found that support image input', // OpenRouter
      'The model llama3 does not support vision', // generic
    ]) assert.ok(rejectsImages(said), said);
    for (const said of ['The model `gpt-x` does not exist', "This model's maximum context length is 8192 tokens", 'Rate limit reached']) assert.ok(!rejectsImages(said), said);
  });
});

suite('images through the request plan, the wire and history', () => {
  const bytes = png(64, 48);
  const shot = image(bytes);

  test('the question\'s images go as image parts after its text; redaction runs on the text and never on the image data', () => {
    // Base64 that happens to look like a key must reach the server unchanged: it is pixels, not text.
    const secretLooking = image(Buffer.concat([png(8, 8), Buffer.from(` ${KEY} `)]), { name: 'odd.png' });
    const q: ChatMessage = { id: 'u1', role: 'user', text: `Why is ${KEY} shown in this dialog?`, streaming: false, images: [shot, secretLooking] };
    const plan = planRequest({ system: 'S', messages: [q], contextWindow: 100000, count: t => Math.ceil(t.length / 4), redactSecrets: true });
    const last = plan.messages[plan.messages.length - 1];
    assert.ok(!last.content.includes(KEY), 'the text is redacted');
    assert.deepStrictEqual(last.images, [`data:image/png;base64,${shot.data}`, `data:image/png;base64,${secretLooking.data}`]);
    const body = requestBody({ baseUrl: 'http://x', apiKey: undefined, model: 'm', messages: plan.messages });
    assert.deepStrictEqual(body.messages[1], {
      role: 'user',
      content: [
        { type: 'text', text: last.content },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${shot.data}` } },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${secretLooking.data}` } },
      ],
    });
    assert.strictEqual(requestBody({ baseUrl: 'http://x', apiKey: undefined, model: 'm', messages: [{ role: 'user', content: 'plain' }] }).messages[0].content, 'plain', 'no images: a plain string');
  });

  test('fitting counts each image: an earlier exchange with an image is dropped first; the question\'s images count in the prompt', () => {
    const count = (t: string) => Math.ceil(t.length / 4);
    const earlier: ChatMessage[] = [
      { id: 'u0', role: 'user', text: 'What is this?', streaming: false, images: [image(png(1024, 1024))] },
      { id: 'a0', role: 'assistant', text: 'A gradient.', streaming: false },
    ];
    const q: ChatMessage = { id: 'u1', role: 'user', text: 'And now?', streaming: false, images: [shot] };
    const roomy = planRequest({ system: 'S', messages: [...earlier, q], contextWindow: 4000, count, redactSecrets: false });
    assert.strictEqual(roomy.messages.length, 4);
    assert.strictEqual(roomy.messages[1].images?.length, 1, 'an earlier question keeps its image');
    const strip = (m: ChatMessage): ChatMessage => ({ ...m, images: undefined });
    const questionOnly = planRequest({ system: 'S', messages: [...earlier, strip(q)], contextWindow: 4000, count, redactSecrets: false });
    const none = planRequest({ system: 'S', messages: [...earlier.map(strip), strip(q)], contextWindow: 4000, count, redactSecrets: false });
    assert.strictEqual(roomy.promptTokens - questionOnly.promptTokens, 255, 'the question\'s 64×48 image');
    assert.strictEqual(roomy.promptTokens - none.promptTokens, 255 + 765, 'and the earlier 1024×1024 one');
    // 900 tokens after the answer's reserve: room for the text of everything, not for the earlier 765-token image.
    const tight = planRequest({ system: 'S', messages: [...earlier, q], contextWindow: 1200, count, redactSecrets: false });
    assert.strictEqual(tight.messages.length, 2, 'the exchange with the image went');
    assert.match(tight.notices.join(' '), /1 earlier exchange not sent/);
    const noRoom = planRequest({ system: 'S', messages: [q], contextWindow: 300, count, redactSecrets: false });
    assert.strictEqual(noRoom.fits, false, 'the question\'s own image is never dropped silently');
  });

  test('the host takes an image only by its bytes, names it by their hash and keeps only a safe thumbnail', () => {
    const ok = intakeImages([{ name: 'a\nb.png', data: bytes.toString('base64'), thumbnail: 'https://example.com/t.png' }]);
    assert.deepStrictEqual(ok.refused, []);
    assert.strictEqual(ok.images[0].id, createHash('sha256').update(bytes).digest('hex'));
    assert.deepStrictEqual([ok.images[0].name, ok.images[0].width, ok.images[0].height, ok.images[0].thumbnail], ['a b.png', 64, 48, '']);
    const thumb = `data:image/png;base64,${png(4, 4).toString('base64')}`;
    assert.strictEqual(intakeImages([{ name: 'x', data: bytes.toString('base64'), thumbnail: thumb }]).images[0].thumbnail, thumb);
    const svgThumb = `data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}`;
    assert.strictEqual(intakeImages([{ name: 'x', data: bytes.toString('base64'), thumbnail: svgThumb }]).images[0].thumbnail, '', 'a thumbnail whose bytes are not what it says');
    const bad = intakeImages([
      { name: 'anim.gif', data: gifHeader(2, 2).toString('base64'), thumbnail: '' },
      { name: 'junk', data: '%%%notbase64', thumbnail: '' },
      { name: 'same', data: bytes.toString('base64'), thumbnail: '' },
      { name: 'same again', data: bytes.toString('base64'), thumbnail: '' },
    ]);
    assert.deepStrictEqual(bad.refused, ['anim.gif: not a PNG, JPEG or WebP image', 'junk: not base64']);
    assert.strictEqual(bad.images.length, 1, 'the same picture twice is one image');
  });

  test('the protocol takes at most five images with bounded fields, and drops a malformed one with its message', () => {
    const one = { name: 'a.png', data: 'AAAA', thumbnail: '' };
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ask', text: 'q', images: [one] }), { type: 'ask', text: 'q', images: [one] });
    assert.strictEqual(parseWebviewMessage({ type: 'ask', text: 'q', images: Array(6).fill(one) }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'ask', text: 'q', images: [{ name: 'a', data: 5 }] }), undefined);
    assert.deepStrictEqual(parseWebviewMessage({ type: 'errorAction', messageId: 'm', action: 'removeImagesAndRetry' }), { type: 'errorAction', messageId: 'm', action: 'removeImagesAndRetry' });
  });

  test('history stores each image once per log and restores it on every message that has it', () => {
    const seen = new Set<string>();
    const q1: ChatMessage = { id: 'u1', role: 'user', text: 'one', streaming: false, images: [shot] };
    const q1edited: ChatMessage = { ...q1, text: 'one, edited' };
    const lines = [storedMessage(q1, seen), storedMessage(q1edited, seen)].map(m => JSON.stringify({ t: 'message', message: m, at: 1 }));
    const text = lines.join('\n');
    assert.strictEqual(text.split(shot.data ?? '-').length - 1, 1, 'the bytes are written once');
    assert.strictEqual(text.split(shot.thumbnail).length - 1, 1, 'so is the thumbnail');
    const { conversation } = replay('c', text, 0);
    assert.deepStrictEqual(conversation.messages[0].images, [shot]);
    assert.strictEqual(conversation.messages[0].text, 'one, edited');
    const q2: ChatMessage = { id: 'u2', role: 'user', text: 'two', streaming: false, images: [shot] };
    const compacted = compactEvents({ ...conversation, messages: [...conversation.messages, q2], createdAt: 0, updatedAt: 0 }).map(e => JSON.stringify(e)).join('\n');
    assert.strictEqual(compacted.split(shot.data ?? '-').length - 1, 1, 'compaction keeps one copy');
    assert.deepStrictEqual(replay('c', compacted, 0).conversation.messages.map(m => m.images), [[shot], [shot]]);
  });
});
