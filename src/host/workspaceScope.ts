// What commands taking a URI or a path from any caller may touch: open documents and files in the
// workspace's folders, never an arbitrary file such as file:///etc/... or ~/.ssh/...
import vscode = require('vscode');
import { isInside } from '../core/pathScope';

/** The folder holding `uri` (same scheme and authority, the path strictly inside it). */
function folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return (vscode.workspace.workspaceFolders ?? []).find(
    f => f.uri.scheme === uri.scheme && f.uri.authority === uri.authority && isInside(f.uri.path, uri.path),
  );
}

/** An open document, or a file inside one of the workspace's folders. */
export function isOpenOrInWorkspace(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.workspace.textDocuments.some(d => d.uri.toString() === key) || folderOf(uri) !== undefined;
}

export function isInWorkspace(uri: vscode.Uri): boolean {
  return folderOf(uri) !== undefined;
}
