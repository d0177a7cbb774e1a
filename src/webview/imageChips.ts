// The images pasted or dropped into the composer, shown as thumbnail chips above the question box until
// the question is sent. × (or Delete / Backspace on it) removes one; a file that cannot be sent is
// refused here with the reason, in a line screen readers announce. They live in the view like the typed
// text: the host gets them with the question.

import type { OutgoingImage } from '../protocol';
import { MAX_IMAGES } from '../core/images';
import { button, element, icon, ICON_CLOSE } from './dom';
import { filesOf, imageName, prepareImage, type PreparedImage } from './imagePaste';
import { strings } from './strings';

export interface ImageChipActions {
  /** The images changed (the token estimate follows). */
  changed(): void;
}

export class ImageChips {
  readonly element: HTMLDivElement = element('div', 'image-chips');
  private readonly list: HTMLDivElement = element('div', 'image-chip-list');
  private readonly status: HTMLDivElement = element('div', 'image-status');
  private images: { key: number; image: PreparedImage }[] = [];
  private nextKey = 0;
  /** Files being read or scaled; Send waits for them. */
  private preparing = 0;

  constructor(private readonly actions: ImageChipActions) {
    this.list.setAttribute('role', 'group');
    this.list.setAttribute('aria-label', strings.imagesLabel);
    this.status.id = 'image-status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.list.hidden = true;
    this.status.hidden = true;
    this.list.addEventListener('click', e => {
      const remove = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('.image-chip-remove') : null;
      if (remove) this.removeAt(remove);
    });
    this.list.addEventListener('keydown', e => {
      if ((e.key === 'Delete' || e.key === 'Backspace') && e.target instanceof HTMLButtonElement && e.target.classList.contains('image-chip-remove')) {
        e.preventDefault();
        this.removeAt(e.target);
      }
    });
    this.element.append(this.list, this.status);
  }

  get busy(): boolean {
    return this.preparing > 0;
  }

  get count(): number {
    return this.images.length;
  }

  tokens(): number {
    return this.images.reduce((n, i) => n + i.image.tokens, 0);
  }

  /** Handles a paste into the box: images are taken unless the clipboard also has text (then the text is pasted). */
  onPaste(e: ClipboardEvent): void {
    const data = e.clipboardData;
    // Copying from an office document or a web page often brings a picture of the text along: the text is what is meant.
    if (!data || (data.getData('text/plain') ?? '') !== '') return;
    const files = filesOf(data);
    if (files.length === 0) return;
    e.preventDefault();
    void this.add(files);
  }

  onDragOver(e: DragEvent): void {
    if (e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }

  onDrop(e: DragEvent): void {
    const files = filesOf(e.dataTransfer);
    if (files.length === 0) return;
    e.preventDefault();
    void this.add(files);
  }

  /** Reads, checks and scales the files, one after another; each becomes a chip or a refusal. */
  async add(files: readonly File[]): Promise<void> {
    const refusals: string[] = [];
    this.preparing += files.length;
    this.say(strings.imagePreparing, false);
    try {
      for (const [index, file] of files.entries()) {
        const name = imageName(file, this.nextKey + index);
        try {
          if (this.images.length >= MAX_IMAGES) {
            refusals.push(strings.imageRefused(name, strings.imageTooMany(MAX_IMAGES)));
            continue;
          }
          const prepared = await prepareImage(file, name);
          if (!prepared.ok) {
            refusals.push(strings.imageRefused(prepared.name, prepared.reason));
            continue;
          }
          // Checked again: another paste may have added images while this one was being prepared.
          if (this.images.length >= MAX_IMAGES) {
            refusals.push(strings.imageRefused(name, strings.imageTooMany(MAX_IMAGES)));
            continue;
          }
          this.images.push({ key: this.nextKey++, image: prepared.image });
        } finally {
          this.preparing--;
        }
      }
    } finally {
      this.render();
      this.say(refusals.join(' '));
      this.actions.changed();
    }
  }

  /** The images for the question being sent; the chips go with it. */
  take(): OutgoingImage[] {
    const out = this.images.map(({ image }) => ({ name: image.name, data: image.data, thumbnail: image.thumbnail }));
    this.images = [];
    this.render();
    this.say('');
    this.actions.changed();
    return out;
  }

  /** A line under the chips: a refusal's reason, or why Send did nothing (`problem`), or progress. */
  say(text: string, problem = true): void {
    this.status.textContent = text;
    this.status.hidden = text === '';
    this.status.classList.toggle('problem', problem);
  }

  private removeAt(control: HTMLButtonElement): void {
    const key = Number(control.closest<HTMLElement>('.image-chip')?.dataset.key);
    const index = this.images.findIndex(i => i.key === key);
    if (index < 0) return;
    const hadFocus = this.list.contains(document.activeElement);
    this.images.splice(index, 1);
    this.render();
    this.say('');
    // Focus goes to the chip now in its place, else the previous one, else the question box.
    if (hadFocus) {
      const buttons = this.list.querySelectorAll<HTMLButtonElement>('.image-chip-remove');
      const next = buttons[Math.min(index, buttons.length - 1)];
      if (next) next.focus();
      else document.getElementById('prompt')?.focus();
    }
    this.actions.changed();
  }

  private render(): void {
    this.list.replaceChildren(...this.images.map(({ key, image }) => chip(key, image)));
    this.list.hidden = this.images.length === 0;
  }
}

function chip(key: number, image: PreparedImage): HTMLElement {
  const node = element('span', 'image-chip');
  node.dataset.key = String(key);
  const size = strings.size(image.bytes);
  const described = strings.imageChipLabel(image.name, size, image.width, image.height);
  node.title = [described, image.note, strings.imageTokens(image.tokens)].filter(Boolean).join('\n');
  const thumb = image.thumbnail ? element('img', 'image-thumb') : icon('file-media');
  if (thumb instanceof HTMLImageElement) {
    thumb.src = image.thumbnail;
    thumb.alt = '';
  }
  const label = element('span', 'image-chip-label', image.name);
  const remove = button({ label: strings.removeImage(described), className: 'image-chip-remove', text: '', icon: icon(ICON_CLOSE) });
  node.setAttribute('aria-label', described);
  node.setAttribute('role', 'group');
  node.append(thumb, label, element('span', 'image-chip-size', size), remove);
  return node;
}
