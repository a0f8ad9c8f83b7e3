// The status-bar click menu: the actions of the project the status bar shows, which they act on;
// with several projects, Switch Project… shows another one.
import * as vscode from 'vscode';
import { SWITCH_PROJECT, statusMenuItems, type MenuItem } from './commands';
import { plainStatus, type MedusaController } from './controller';
import { ClientCommand, ServerCommand } from './protocol';
import type { ProjectSession } from './session';

export async function showStatusMenu(controller: MedusaController): Promise<void> {
  const session = controller.shownSession();
  const others = session ? controller.projects.length - 1 : 0;
  const items = statusMenuItems(session ? { ...session.state, otherProjects: others } : { phase: controller.idlePhase, advertised: [] });
  const picked = await vscode.window.showQuickPick(
    items.map((i) => ({ label: i.label, description: i.description, item: i })),
    { title: session && others > 0 ? `Medusa: ${session.label}` : 'Medusa', placeHolder: 'Medusa dev server' },
  );
  if (picked) await runMenuItem(controller, picked.item, session);
}

async function runMenuItem(controller: MedusaController, item: MenuItem, session: ProjectSession | undefined): Promise<void> {
  const args = item.args ?? [];
  if (item.command === SWITCH_PROJECT) {
    const picked = await vscode.window.showQuickPick(
      controller.projects.map((s) => ({ label: s.label, description: plainStatus(s), detail: s.dir, session: s })),
      { title: 'Medusa: Switch Project', placeHolder: 'Which Medusa project?' },
    );
    if (!picked) return;
    controller.focus(picked.session);
    return showStatusMenu(controller);
  }
  if (session) {
    // The project's own actions go to it, not to whichever project the active editor is in.
    if ((Object.values(ServerCommand) as string[]).includes(item.command)) return void (await controller.runServerCommand(item.command, args, session));
    if (item.command === ClientCommand.openUrl) return controller.openUrl(session);
    if (item.command === ClientCommand.copyPublishableKey) return controller.copyCredential('publishableKey', 'publishable API key', session);
    if (item.command === ClientCommand.copyAdminToken) return controller.copyCredential('adminToken', 'admin token', session);
    if (item.command === ClientCommand.restartLanguageServer) return controller.restartLanguageServer(session);
  }
  await vscode.commands.executeCommand(item.command, ...args);
}
