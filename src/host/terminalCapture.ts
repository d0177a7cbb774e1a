// The last command and its output in each terminal, for #terminal. VS Code hands an extension a
// command's output only if it starts reading when the command starts, so this listens from the moment
// Tandem's host loads; it keeps one command per terminal, in memory only, capped.
import vscode = require('vscode');
import { keepTail, terminalText } from '../core/terminalText';

/** Raw characters kept while a command runs (its end, where errors are). */
const MAX_RAW = 400_000;

export interface TerminalCommand {
  commandLine: string;
  output: string;
  exitCode: number | undefined;
  /** Characters of output left out at the start. */
  dropped: number;
}

export class TerminalCapture implements vscode.Disposable {
  private readonly last = new WeakMap<vscode.Terminal, TerminalCommand>();
  private readonly reading = new Map<vscode.TerminalShellExecution, Promise<{ raw: string; dropped: number }>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ended = new vscode.EventEmitter<vscode.Terminal>();
  /** A command's output is now available for its terminal. */
  readonly onDidCapture = this.ended.event;

  constructor() {
    // Editors built on an older VS Code have no shell-integration events: #terminal falls back to the selection.
    if (typeof vscode.window.onDidStartTerminalShellExecution !== 'function') return;
    this.disposables.push(
      vscode.window.onDidStartTerminalShellExecution(e => {
        this.reading.set(e.execution, this.read(e.execution));
      }),
      vscode.window.onDidEndTerminalShellExecution(async e => {
        const read = this.reading.get(e.execution);
        this.reading.delete(e.execution);
        const { raw, dropped } = read ? await read : { raw: '', dropped: 0 };
        this.last.set(e.terminal, { commandLine: e.execution.commandLine.value, output: terminalText(raw), exitCode: e.exitCode, dropped });
        this.ended.fire(e.terminal);
      }),
    );
  }

  private async read(execution: vscode.TerminalShellExecution): Promise<{ raw: string; dropped: number }> {
    let raw = '';
    let dropped = 0;
    try {
      for await (const chunk of execution.read()) {
        const kept = keepTail(raw + chunk, MAX_RAW);
        raw = kept.text;
        dropped += kept.dropped;
      }
    } catch {
      // The terminal closed mid-command: what arrived is kept.
    }
    return { raw, dropped };
  }

  /** The last finished command of a terminal, if shell integration reported one. */
  lastCommand(terminal: vscode.Terminal): TerminalCommand | undefined {
    return this.last.get(terminal);
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
    this.ended.dispose();
  }
}
