// Where requests go, and which secret belongs to that place. Pure functions: no vscode, no network.

/** The origin (scheme://host[:port]) of a base URL, or undefined when it is not an http(s) URL. */
export function endpointOrigin(baseUrl: string): string | undefined {
  try {
    const u = new URL(baseUrl.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** True for servers on this machine, which need no key unless the user stores one. */
export function isLoopback(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl.trim()).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  // The WHATWG parser normalises 127.1, 0x7f.1 and friends to dotted quads.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * True when a key sent to this base URL would cross a network unencrypted: plain http to a host that
 * is not this machine (a `.lan`, `.internal` or private-network address included).
 */
export function keyWouldTravelInClear(baseUrl: string): boolean {
  try {
    return new URL(baseUrl.trim()).protocol === 'http:' && !isLoopback(baseUrl);
  } catch {
    return false;
  }
}

/** The SecretStorage entry that holds the key for a provider at an origin. */
export function secretKeyName(provider: string, origin: string): string {
  return `tandem.key:${provider}:${origin}`;
}
