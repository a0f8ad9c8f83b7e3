// The status-bar item: renders a StatusView (status.ts) with VS Code's API.
import * as vscode from 'vscode';
import { ClientCommand } from './protocol';
import { renderStatus, type StatusView } from './status';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('medusa.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Medusa';
  }

  update(view: StatusView): void {
    const r = renderStatus(view);
    this.item.text = r.text;
    const tooltip = new vscode.MarkdownString(r.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      r.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : r.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command = r.click === 'trust' ? 'workbench.trust.manage' : ClientCommand.showMenu;
    this.item.accessibilityInformation = { label: r.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
