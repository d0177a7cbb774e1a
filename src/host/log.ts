// The "Tandem" output channel. Every line is redacted: key-shaped strings and every key Tandem holds.
import vscode = require('vscode');
import { redactSecrets } from '../core/redact';

export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Tandem', { log: true });
  private readonly secrets = new Set<string>();

  /** Values that must never appear in a log line, whatever their shape. */
  addSecret(value: string): void {
    if (value.length >= 4) this.secrets.add(value);
  }

  private clean(component: string, text: string): string {
    let out = redactSecrets(text);
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return `[${component}] ${out}`;
  }

  trace(component: string, text: string): void {
    this.channel.trace(this.clean(component, text));
  }
  debug(component: string, text: string): void {
    this.channel.debug(this.clean(component, text));
  }
  info(component: string, text: string): void {
    this.channel.info(this.clean(component, text));
  }
  warn(component: string, text: string): void {
    this.channel.warn(this.clean(component, text));
  }
  error(component: string, text: string): void {
    this.channel.error(this.clean(component, text));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
