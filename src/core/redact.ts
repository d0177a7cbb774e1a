// Key-shaped strings never reach a log line, an error message, history or an export.

const PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI (sk-..., sk-proj-...), OpenRouter (sk-or-...)
  /\bgsk_[A-Za-z0-9]{16,}/g, // Groq
  /\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google API key
  /(\bBearer\s+)[A-Za-z0-9._~+/=-]{12,}/gi,
  /(\b(?:api[-_]?key|authorization)["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{12,}/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const re of PATTERNS) {
    out = out.replace(re, (match: string, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}
