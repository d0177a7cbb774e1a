// The working tree's changes, staged and unstaged, through VS Code's built-in Git extension (its
// public API, version 1): the repository of the active file, else the first one open.
import vscode = require('vscode');

/** The part of the Git extension's API (git.d.ts) used here. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly workingTreeChanges: readonly { readonly uri: vscode.Uri; readonly status: number }[] };
  diff(cached?: boolean): Promise<string>;
}
interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** Status of an untracked file in the Git extension's API. */
const UNTRACKED = 7;
const INIT_WAIT_MS = 5000;

export async function gitChanges(active: vscode.Uri | undefined): Promise<{ root: string; diff: string } | { problem: string }> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!ext) return { problem: vscode.l10n.t('#changes reads the diff through VS Code\'s built-in Git extension, which is not available here. Enable the "Git" extension (vscode.git) in the Extensions view.') };
  const git = ext.isActive ? ext.exports : await ext.activate();
  if (!git.enabled) return { problem: vscode.l10n.t('Git is turned off in VS Code ("git.enabled" is false). Turn it on to use #changes.') };
  const api = git.getAPI(1);
  if (api.state !== 'initialized') {
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => { sub.dispose(); resolve(); }, INIT_WAIT_MS);
      const sub = api.onDidChangeState(s => {
        if (s !== 'initialized') return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
  }
  const repo = (active ? api.getRepository(active) : null) ?? api.repositories[0];
  if (!repo) return { problem: vscode.l10n.t('No Git repository is open in this workspace. Open a folder that is in one, or run "Git: Initialize Repository".') };
  const [staged, unstaged] = await Promise.all([repo.diff(true), repo.diff(false)]);
  const untracked = repo.state.workingTreeChanges.filter(c => c.status === UNTRACKED).map(c => vscode.workspace.asRelativePath(c.uri, false));
  const parts: string[] = [];
  if (staged.trim()) parts.push('# Staged changes', staged.trimEnd());
  if (unstaged.trim()) parts.push('# Unstaged changes', unstaged.trimEnd());
  if (untracked.length) parts.push('# Untracked files (content not included)', ...untracked.slice(0, 100));
  const root = repo.rootUri.path.split('/').filter(Boolean).pop() ?? repo.rootUri.fsPath;
  if (parts.length === 0) return { problem: vscode.l10n.t('The working tree of {0} has no changes, staged or unstaged.', root) };
  return { root, diff: parts.join('\n') };
}
