// Entry point (vscode-extension-samples/lsp-sample style): activate starts a client per Medusa
// project of the workspace, deactivate stops them. The logic lives in small modules; the pure
// ones have no `vscode` import.
import * as vscode from 'vscode';
import { MedusaController } from './controller';
import { showStatusMenu } from './menu';
import { ClientCommand } from './protocol';
import { StatusBar } from './statusBar';

let controller: MedusaController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Medusa', { log: true });
  const bar = new StatusBar();
  controller = new MedusaController(context, log, bar);
  const c = controller;
  context.subscriptions.push(
    log,
    bar,
    vscode.commands.registerCommand(ClientCommand.showOutput, () => log.show()),
    vscode.commands.registerCommand(ClientCommand.openUrl, () => c.openUrl()),
    vscode.commands.registerCommand(ClientCommand.showMenu, () => showStatusMenu(c)),
    vscode.commands.registerCommand(ClientCommand.restartLanguageServer, () => c.restartLanguageServer()),
    vscode.commands.registerCommand(ClientCommand.copyPublishableKey, () => c.copyCredential('publishableKey', 'publishable API key')),
    vscode.commands.registerCommand(ClientCommand.copyAdminToken, () => c.copyCredential('adminToken', 'admin token')),
  );
  void vscode.commands.executeCommand('setContext', 'medusa.active', true);
  log.info(`Medusa extension ${context.extension.packageJSON.version} (VS Code ${vscode.version}, ${process.platform}-${process.arch})`);
  void c.start(); // not awaited: activation must not wait for the server
}

export function deactivate(): Thenable<void> | undefined {
  const c = controller;
  controller = undefined;
  return c?.dispose();
}
