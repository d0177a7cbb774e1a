// Secrets in what is about to be SENT to a model: keys, tokens, private keys, passwords and URLs
// with credentials in the selected code are replaced by [REDACTED] before the request leaves.
// Unlike redact.ts (which scrubs our own logs of key-shaped strings), this reads code and config,
// so it must recognise assignments and leave ordinary code alone: a false alarm changes the code the
// model sees. Line numbers are kept: a PEM body keeps its line breaks, so the model's answer about
// "line 12" still means line 12.

export interface SecretFinding {
  kind: 'api-key' | 'token' | 'private-key' | 'password' | 'connection-string' | 'webhook-url' | 'session-cookie';
  /** 1-based line of the secret's first character. */
  line: number;
}

export const REDACTED = '[REDACTED]';

interface Hit {
  start: number;
  end: number;
  kind: SecretFinding['kind'];
  /** What replaces text[start, end); REDACTED unless line breaks are kept. */
  replacement?: string;
}

// Vendor key shapes: unmistakable on their own, wherever they appear.
const KEY_SHAPES: { re: RegExp; kind: SecretFinding['kind'] }[] = [
  { re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, kind: 'api-key' }, // Anthropic
  { re: /\bsk-(?:proj-|svcacct-|admin-|or-v1-)?[A-Za-z0-9_-]{20,}/g, kind: 'api-key' }, // OpenAI, OpenRouter
  { re: /\bgsk_[A-Za-z0-9]{20,}/g, kind: 'api-key' }, // Groq
  { re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/g, kind: 'token' }, // GitHub
  { re: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, kind: 'token' },
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, kind: 'token' }, // Slack
  { re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, kind: 'api-key' }, // AWS access key id
  { re: /\bAIza[0-9A-Za-z_-]{30,}/g, kind: 'api-key' }, // Google
  { re: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}/g, kind: 'api-key' }, // Stripe
  { re: /\bnpm_[A-Za-z0-9]{30,}/g, kind: 'token' }, // npm
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, kind: 'token' }, // JWT
  { re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, kind: 'api-key' }, // SendGrid
];

// Webhook URLs are credentials in themselves: whoever has one can post. The part after the fixed
// prefix goes (Slack: /services/T…/B…/secret; Discord: /api/webhooks/<id>/<token>).
const WEBHOOKS = /\bhttps:\/\/(?:hooks\.slack\.com\/services|(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks)\/([A-Za-z0-9_/-]{16,})/g;

// `Authorization: Basic <base64 of user:password>`, as a header line or a header in code.
const BASIC = /(\bauthorization["']?\s*[:=,]\s*["'`]?Basic\s+)([A-Za-z0-9+/]{6,}={0,2})/gi;

// Secrets on command lines: `--password x`, `--token=x`, `--api-key x`, and mysql's `-pSECRET`.
const CLI_FLAG = /(?:^|[\s"'`])--(?:password|passwd|pass|token|auth-token|access-token|api-key|apikey|secret|client-secret)(?:=|[ \t]+)(["']?)([^\s"'`]+)\1/gi;
const MYSQL_P = /\bmysql(?:dump|admin|sh)?\b[^\n]{0,200}?[ \t]-p([^\s"'`-][^\s"'`]*)/g;

// Cookie headers (`Cookie:`, `Set-Cookie:`, `document.cookie =`): values of session-like cookies.
const COOKIE_LINE = /\b(?:set-)?cookie["']?\s*[:=,]\s*["'`]?([^\n]{0,4000})/gi;
const COOKIE_PAIR = /(?:^|[;\s"'`])([\w.-]{1,64})=([^;\s"'`]{8,})/g;

// A random key has digits; a long hyphenated identifier that happens to start with `sk-` has none.
function plausibleKey(text: string): boolean {
  return /\d/.test(text);
}

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/g;

// `Authorization: Bearer <token>`: the word Bearer stays.
const BEARER = /\b(Bearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/g;

// scheme://user:password@host: only the password goes.
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/'"`]*:([^\s@/'"`]+)@/gi;

// NAME <op> VALUE on one line, where NAME may be quoted ("apiKey": ..., 'password' => ...) and ends
// in a word that can name a secret (secretName decides). The lookbehind starts names at an
// identifier boundary and the bounded repeats keep the scan linear on minified code and base64;
// a bare value longer than BARE_MAX is followed to its end by hand.
/** The repeat limit of the bare value in ASSIGNMENT below; keep the two equal. */
const BARE_MAX = 600;
const ASSIGNMENT =
  /(?<![\w$.-])(["'`]?)([\w$.-]{0,80}?(?:pass(?:word|wd|phrase)?|pwd|pw|secret|token|key))\1([ \t]*)(=>|:=|[:=])([ \t]*)(?:(["'`])((?:\\.|(?!\6)[^\\\r\n]){0,2000})\6|([^\s"'`,;&]{1,600}))/gi;

/**
 * Replaces the secrets in `text` with [REDACTED] and says where they were. Names stay (`password =
 * "[REDACTED]"`), so the model still understands the code.
 */
export function redactOutgoing(text: string): Redaction {
  const hits: Hit[] = [];
  findPem(text, hits);
  for (const { re, kind } of KEY_SHAPES) {
    for (const m of text.matchAll(re)) {
      if (m.index === undefined || !plausibleKey(m[0])) continue;
      hits.push({ start: m.index, end: m.index + m[0].length, kind });
    }
  }
  for (const m of text.matchAll(BEARER)) {
    if (m.index === undefined || !plausibleKey(m[2])) continue;
    const start = m.index + m[1].length;
    hits.push({ start, end: start + m[2].length, kind: 'token' });
  }
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    if (m.index === undefined || isTemplated(m[1]) || m[1] === REDACTED) continue;
    const end = m.index + m[0].length - 1; // before the @
    hits.push({ start: end - m[1].length, end, kind: 'connection-string' });
  }
  for (const m of text.matchAll(WEBHOOKS)) {
    if (m.index === undefined) continue;
    const start = m.index + m[0].length - m[1].length;
    hits.push({ start, end: m.index + m[0].length, kind: 'webhook-url' });
  }
  for (const m of text.matchAll(BASIC)) {
    if (m.index === undefined || isPlaceholder(m[2])) continue;
    const start = m.index + m[1].length;
    hits.push({ start, end: start + m[2].length, kind: 'password' });
  }
  for (const re of [CLI_FLAG, MYSQL_P]) {
    for (const m of text.matchAll(re)) {
      const value = m[m.length - 1];
      if (m.index === undefined || value === undefined || isPlaceholder(value) || value.startsWith('-')) continue;
      const end = m.index + m[0].length - (m[1] && re === CLI_FLAG ? m[1].length : 0);
      hits.push({ start: end - value.length, end, kind: re === MYSQL_P || /pass/i.test(m[0]) ? 'password' : 'token' });
    }
  }
  findCookies(text, hits);
  findAssignments(text, hits);
  return apply(text, hits);
}

/** Cookie values that look like session ids: named like one, or long and made of letters and digits. */
function findCookies(text: string, hits: Hit[]): void {
  for (const line of text.matchAll(COOKIE_LINE)) {
    if (line.index === undefined) continue;
    const base = line.index + line[0].length - line[1].length;
    for (const m of line[1].matchAll(COOKIE_PAIR)) {
      if (m.index === undefined) continue;
      const [, name, value] = m;
      const sessionName = /sess|sid$|^sid|token|auth|jwt|remember/i.test(name);
      const generated = value.length >= 16 && /\d/.test(value) && /[A-Za-z]/.test(value);
      if ((!sessionName && !generated) || isPlaceholder(value)) continue;
      const start = base + m.index + m[0].length - value.length;
      hits.push({ start, end: start + value.length, kind: 'session-cookie' });
    }
  }
}

function findPem(text: string, hits: Hit[]): void {
  // Where each END marker was last found (-1: nowhere after that point), so a text full of BEGIN
  // lines without an END is not searched to its end once per line.
  const nextEnd = new Map<string, number>();
  let coveredTo = 0;
  for (const m of text.matchAll(PEM_BEGIN)) {
    if (m.index === undefined || m.index < coveredTo) continue;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${m[1]}PRIVATE KEY${m[2] ?? ''}-----`;
    let found = nextEnd.get(endMarker);
    if (found === undefined || (found !== -1 && found < bodyStart)) {
      found = text.indexOf(endMarker, bodyStart);
      nextEnd.set(endMarker, found);
    }
    const bodyEnd = found === -1 ? unterminatedBodyEnd(text, bodyStart) : found;
    // Documentation mentions the markers ("-----BEGIN PRIVATE KEY----- ... -----END ..."); a key
    // has a body of base64.
    if (!/[A-Za-z0-9+/]{16}/.test(text.slice(bodyStart, bodyEnd))) continue;
    hits.push({ start: bodyStart, end: bodyEnd, kind: 'private-key', replacement: keepLineBreaks(text.slice(bodyStart, bodyEnd)) });
    coveredTo = bodyEnd;
  }
}

/** A selection can cut a key in half: take the base64 and header lines that follow the BEGIN line. */
function unterminatedBodyEnd(text: string, from: number): number {
  const bodyLine = /^[ \t]*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: .*)[ \t]*\r?$/;
  let nl = text.indexOf('\n', from);
  if (nl === -1) return text.length;
  let end = nl;
  while (nl !== -1) {
    const lineStart = nl + 1;
    nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    if (!bodyLine.test(text.slice(lineStart, lineEnd))) break;
    end = lineEnd;
  }
  return end;
}

/** [REDACTED] on the first body line, then the body's own line breaks. */
function keepLineBreaks(body: string): string {
  const breaks = body.match(/\r?\n/g) ?? [];
  if (breaks.length === 0) return REDACTED;
  const first = /^[ \t]*\r?\n/.test(body) ? breaks.shift() ?? '' : '';
  return `${first}${REDACTED}${breaks.join('')}`;
}

const PASSWORD_WORDS = ['password', 'passwd', 'passphrase', 'pass', 'pw', 'pwd'];
// Not `credentials`: fetch's `credentials: 'include'` is everywhere and never a secret.
const SECRET_WORDS = ['secret', 'apikey'];
// `key` alone names dictionary keys and keyboard keys; these words before it make it a secret.
const KEY_QUALIFIERS = ['api', 'access', 'secret', 'private', 'auth', 'signing', 'encryption', 'master', 'client', 'license', 'subscription', 'account', 'app', 'service', 'storage'];

interface SecretName {
  kind: SecretFinding['kind'];
  /** The name's last word, lower case: a value that repeats it is a label, not a secret. */
  word: string;
}

/** Whether a name holds a secret, and what kind, decided by its last word. */
function secretName(name: string): SecretName | undefined {
  // Dotted, snake, kebab and camel case names as lower-case words.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const word = words[words.length - 1];
  const before = words[words.length - 2];
  if (word === undefined) return undefined;
  // Environment-variable names ending in _KEY hold keys by convention (OPENAI_KEY, AZURE_OPENAI_KEY, DD_APP_KEY).
  const envKey = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_KEY$/.test(name.replace(/^["'`]|["'`]$/g, '').split('.').pop() ?? '');
  // `PWD` alone is the shell's working directory; `db_pwd` is a password.
  if (word === 'pwd' && before === undefined) return undefined;
  if (PASSWORD_WORDS.includes(word) || /(?:password|passwd)$/.test(word)) return { kind: 'password', word };
  if (word === 'token' || /^(?:auth|access|refresh|bearer|api|session|id)token$/.test(word)) return { kind: 'token', word: 'token' };
  if (SECRET_WORDS.includes(word) || /(?:apikey|secretkey|accesskey)$/.test(word)) return { kind: 'api-key', word };
  if (word === 'key' && ((before !== undefined && KEY_QUALIFIERS.includes(before)) || envKey)) return { kind: 'api-key', word };
  return undefined;
}

/** Values that stand for a secret rather than being one. */
function isPlaceholder(value: string): boolean {
  if (value.length < 6) return true;
  if (isTemplated(value) || value === REDACTED) return true;
  if (/^(.)\1*$/.test(value)) return true; // ******** or xxxxxxxx
  if (/^(?:your|my|insert|enter|replace)[-_ ]/i.test(value)) return true;
  return /^(?:changeme|change_me|password|secret|example|placeholder|redacted|dummy|none|null|undefined|todo|xxx+)$/i.test(value);
}

function isTemplated(value: string): boolean {
  return /<|\$\{|\{\{|%s|process\.env|os\.environ|getenv|ENV\[/.test(value) || /^\$\w+$/.test(value) || /^%\w+%$/.test(value);
}

/**
 * Whether a quoted value is a secret. Names like ACCESS_TOKEN often hold protocol words, event
 * names, highlighter classes and messages rather than secrets: "access_token", "acquireToken",
 * `token: 'comment'`, "secret must be a string". Generated keys and tokens have digits; only a
 * password, chosen by a person, may be a plain word (`sekrit`), and then it is one unbroken word: a
 * passphrase with spaces is the price of not flagging every message.
 */
function quotedIsSecret(value: string, name: SecretName): boolean {
  if (isPlaceholder(value) || isLabel(value, name)) return false;
  if (value.startsWith('/') || value.includes('://')) return false; // endpoints; URL passwords are found apart
  if (/\d/.test(value)) return true;
  return name.kind === 'password' && isPlainWord(value);
}

/** A value that repeats the name's word (`ACCESS_TOKEN = "access_token"`), unless it looks generated. */
function isLabel(value: string, name: SecretName): boolean {
  if (!value.toLowerCase().includes(name.word)) return false;
  return !(value.length >= 16 && /\d/.test(value) && /[A-Za-z]/.test(value));
}

/** One word without spaces that is not an identifier (camelCase, snake_case, kebab-case, dotted). */
function isPlainWord(value: string): boolean {
  if (/\s/.test(value) || /[a-z][A-Z]/.test(value)) return false;
  return !/^[A-Za-z]+(?:[._-][A-Za-z]+)+$/.test(value);
}

/**
 * Whether an unquoted value is a secret. In config (`.env`, properties, YAML) a bare word is the
 * value itself; in code it is an expression, and only something shaped like a generated key
 * (long, letters and digits, no operators) counts.
 */
function bareIsSecret(value: string, name: SecretName, config: boolean): boolean {
  if (isPlaceholder(value) || isLabel(value, name)) return false;
  if (/[()[\]{}]/.test(value) || value.startsWith('$') || value.startsWith('=')) return false;
  if (/^(?:true|false|null|nil|none|undefined|string|str|bytes|bool|boolean|int|number|any|unknown|object)$/i.test(value)) return false;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false; // config.password, self.token
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false; // SOME_CONSTANT
  if (!config) {
    if (/^[A-Za-z_$][\w$]*\.[A-Za-z_$]/.test(value)) return false; // e.tokens.length-1
    return /^[\w\-+/=.~]{12,}$/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value);
  }
  if (/\d/.test(value)) return true;
  return name.kind === 'password' && isPlainWord(value);
}

function findAssignments(text: string, hits: Hit[]): void {
  const re = new RegExp(ASSIGNMENT.source, ASSIGNMENT.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const hit = assignmentHit(text, m);
    if (hit) {
      hits.push(hit);
      re.lastIndex = Math.max(re.lastIndex, hit.end);
    } else {
      // Not a secret: look for names inside what was taken as its value (`url: https://…?token=…`).
      const valueLength = m[6] !== undefined ? (m[7] ?? '').length + 2 : (m[8] ?? '').length;
      re.lastIndex = Math.max(m.index + 1, m.index + m[0].length - valueLength);
    }
  }
}

function assignmentHit(text: string, m: RegExpExecArray): Hit | undefined {
  const [whole, , rawName, spaceBefore, op, spaceAfter, quote, quoted, bare] = m;
  const name = secretName(rawName);
  if (!name) return undefined;
  const end = m.index + whole.length;
  if (quote !== undefined) {
    const value = quoted ?? '';
    if (!quotedIsSecret(value, name)) return undefined;
    const start = end - 1 - value.length; // before the closing quote
    return { start, end: start + value.length, kind: name.kind };
  }
  // `token => token.trim()` is a lambda, whatever follows.
  if (bare === undefined || op === '=>') return undefined;
  const start = end - bare.length;
  const value = bare.replace(/[.]+$/, '');
  const config = isConfigLine(text, m.index, op, spaceBefore, spaceAfter, end);
  if (!bareIsSecret(value, name, config)) return undefined;
  // The regex stopped at BARE_MAX characters: a longer value (a base64 key in an env var) is
  // redacted to its real end, decided on its beginning so rejected values are not walked.
  let valueEnd = start + value.length;
  if (bare.length === BARE_MAX) while (valueEnd < text.length && !/[\s"'`,;&]/.test(text.charAt(valueEnd))) valueEnd++;
  return { start, end: valueEnd, kind: name.kind };
}

/**
 * `KEY=value` at a line start, after `export`, or in `a=b;c=d` and `?a=b&c=d` lists; `key: value`
 * alone on its line (YAML).
 */
function isConfigLine(text: string, nameStart: number, op: string, spaceBefore: string, spaceAfter: string, valueEnd: number): boolean {
  const before = nameStart === 0 ? '\n' : text.charAt(nameStart - 1);
  if (op === '=' && spaceBefore === '' && spaceAfter === '') return /[\n ;&?]/.test(before);
  if (op !== ':') return false;
  const lineStart = text.lastIndexOf('\n', nameStart - 1) + 1;
  let lineEnd = text.indexOf('\n', valueEnd);
  if (lineEnd === -1) lineEnd = text.length;
  return /^[ \t]*(?:- )?$/.test(text.slice(lineStart, nameStart)) && text.slice(valueEnd, lineEnd).trim() === '';
}

const KIND_PRIORITY: Record<SecretFinding['kind'], number> = {
  'private-key': 4,
  'webhook-url': 3,
  'session-cookie': 2,
  'api-key': 3,
  token: 3,
  'connection-string': 2,
  password: 1,
};

/**
 * What redactOutgoing returns. `values` holds the original text of each replaced span, in order, so a
 * placeholder the model repeats can be mapped back before an edit reaches a file; it stays in memory
 * and is never logged, stored or sent.
 */
export interface Redaction {
  text: string;
  findings: SecretFinding[];
  values: string[];
}

/** Replaces the hits (merging overlaps) and lists one finding per replaced span. */
function apply(text: string, hits: Hit[]): Redaction {
  if (hits.length === 0) return { text, findings: [], values: [] };
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Hit[] = [];
  for (const h of hits) {
    if (h.end <= h.start) continue;
    const last = merged[merged.length - 1];
    if (last && h.start < last.end) {
      // Overlap: one span, named by the most telling kind (a PEM body inside `key = "…"`).
      if (h.end > last.end) {
        last.end = h.end;
        last.replacement = undefined;
      }
      if (KIND_PRIORITY[h.kind] > KIND_PRIORITY[last.kind]) last.kind = h.kind;
      continue;
    }
    merged.push({ ...h });
  }
  let out = '';
  let copied = 0;
  let pos = 0;
  let line = 1;
  const findings: SecretFinding[] = [];
  const values: string[] = [];
  for (const h of merged) {
    // Hits are sorted, so counting newlines up to each start is one pass over the text.
    for (; pos < h.start; pos++) if (text.charCodeAt(pos) === 10) line++;
    findings.push({ kind: h.kind, line });
    values.push(text.slice(h.start, h.end));
    out += text.slice(copied, h.start) + (h.replacement ?? REDACTED);
    copied = h.end;
    for (; pos < h.end; pos++) if (text.charCodeAt(pos) === 10) line++;
  }
  return { text: out + text.slice(copied), findings, values };
}
