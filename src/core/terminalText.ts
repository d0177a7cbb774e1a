// A terminal's raw output as plain text: escape sequences (colours, cursor moves, shell-integration
// marks) taken out, carriage-return redraws collapsed to what the screen ended up showing. Pure.

// CSI (colours, cursor), OSC (titles, shell-integration marks; ended by BEL or ST), and the two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function terminalText(raw: string): string {
  return raw
    .replace(ESCAPES, '')
    .replace(/\r\n/g, '\n')
    .split('\n')
    // A progress bar redraws its line after \r: the last redraw is what stayed on screen.
    .map(line => line.slice(line.lastIndexOf('\r') + 1))
    .join('\n')
    .replace(CONTROL, '')
    .replace(/\s+$/, '');
}

/** Keeps the end of a growing output within `max` characters (the end of a failing build matters most). */
export function keepTail(text: string, max: number): { text: string; dropped: number } {
  if (text.length <= max) return { text, dropped: 0 };
  const cut = text.indexOf('\n', text.length - max);
  const start = cut < 0 ? text.length - max : cut + 1;
  return { text: text.slice(start), dropped: start };
}
