// What the UI tests that drive code-server's workbench share: the harness that starts code-server with
// Tandem's VSIX installed, Chromium's path and arguments, and where screenshots go.
import * as path from 'path';

export const harness = require('../harness/codeServer.js') as {
  startCodeServer(o: { dir: string; settings?: Record<string, unknown> }): Promise<{ url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv }>;
  makeRunDir(root: string, name: string): string;
  copyDir(a: string, b: string): void;
  installVsix(dir: string, vsix: string): void;
};
export const tools = require('../harness/tools.js') as { paths: { chromium: string }; CHROMIUM_ARGS: string[] };

export const ROOT = path.resolve(__dirname, '..', '..');
export const SHOTS = path.join(ROOT, 'test-results');
