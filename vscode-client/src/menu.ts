// The status-bar click menu.
import * as vscode from 'vscode';
import { statusMenuItems } from './commands';
import type { MedusaController } from './controller';

export async function showStatusMenu(controller: MedusaController): Promise<void> {
  const items = statusMenuItems({ phase: controller.currentPhase, status: controller.currentStatus, advertised: controller.advertisedCommands });
  const picked = await vscode.window.showQuickPick(
    items.map((i) => ({ label: i.label, description: i.description, item: i })),
    { title: 'Medusa', placeHolder: 'Medusa dev server' },
  );
  if (!picked) return;
  await vscode.commands.executeCommand(picked.item.command, ...(picked.item.args ?? []));
}
