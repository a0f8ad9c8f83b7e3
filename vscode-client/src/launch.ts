// How the extension starts medusa-ls. Shared with the integration test, which must start the
// server exactly the way the extension does.

/**
 * Arguments: `serve --stdio` (docs/lsp-contract.md: LSP over stdin/stdout). The extension does not
 * set `transport: TransportKind.stdio` (vscode-languageclient would append another `--stdio`);
 * with no transport it still talks stdio, over the child's stdin/stdout.
 */
export const SERVER_ARGS: readonly string[] = ['serve', '--stdio'];

export interface LaunchSpec {
  command: string;
  args: string[];
  options: { cwd: string; env: Record<string, string | undefined> };
}

export function serverLaunch(
  binary: string,
  projectDir: string,
  baseEnv: Record<string, string | undefined>,
): LaunchSpec {
  const env: Record<string, string | undefined> = { ...baseEnv };
  // VS Code's extension host sets these for its own Node; they must not leak into a Node child
  // runtime (`medusa.runtime: node`) started by medusa-ls.
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI;
  return { command: binary, args: [...SERVER_ARGS], options: { cwd: projectDir, env } };
}
