// The workspace side: which Medusa projects the workspace folders hold (one language client per
// project, session.ts), starting and stopping them with workspace trust and as folders come and
// go, the status bar (the project of the active editor), the context keys, settings changes, and
// which project a command acts on.
import * as vscode from 'vscode';
import { canRunOn, clashingCommands, commandTitle, contextKeys } from './commands';
import { chooseProject, discoverProjects, projectForPath, projectLabels, type Project } from './project';
import { ClientCommand } from './protocol';
import { ProjectSession, type SessionHost } from './session';
import { statusSummary, type ClientPhase } from './status';
import type { StatusBar } from './statusBar';

export class MedusaController implements vscode.Disposable, SessionHost {
  /** One session per project, by project directory, in workspace-folder order. */
  private sessions = new Map<string, ProjectSession>();
  /** The project the status bar shows: the active editor's, else the last one shown. */
  private focused: ProjectSession | undefined;
  /** What the status bar says while there is no session: restricted, no project, starting. */
  private idle: ClientPhase = 'starting';
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private readonly registered = new Set<string>();
  private readonly contextValues = new Map<string, unknown>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly bar: StatusBar,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigChange(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trusted: starting medusa-ls.');
        void this.start();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.start()),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.onActiveEditor(editor)),
    );
  }

  // ---- SessionHost ----------------------------------------------------------------------------

  projectCount(): number {
    return this.sessions.size;
  }

  changed(session: ProjectSession): void {
    for (const id of session.state.advertised) this.registerServerCommand(id);
    if (this.sessions.get(session.dir) === session) this.render();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Brings the sessions in line with the workspace: one per Medusa project among the workspace
   * folders, each started unless it runs already; the projects of removed folders stop. Safe to
   * call repeatedly: a call during a sync runs one more sync after it.
   */
  start(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        await this.sync();
      } while (this.syncAgain);
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async sync(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.log.warn(
        "Restricted Mode: medusa-ls is not started because the dev server would run this project's code. " +
          'Trust the folder (Manage Workspace Trust) to start it.',
      );
      this.setIdle('untrusted');
      return;
    }
    const projects = await discoverProjects(vscode.workspace.workspaceFolders ?? []);
    await this.reconcile(projects);
    if (this.sessions.size === 0) {
      this.log.info('No medusa-config.{ts,js,mjs,cjs} at the root of a workspace folder, one folder down or in apps/* or packages/*: nothing to start.');
      this.setIdle('no-project');
      return;
    }
    await Promise.all([...this.sessions.values()].map((s) => s.start()));
  }

  /** Creates the sessions of new projects and disposes of those whose project is gone. */
  private async reconcile(projects: Project<vscode.WorkspaceFolder>[]): Promise<void> {
    const gone = [...this.sessions.values()].filter((s) => !projects.some((p) => p.dir === s.dir));
    const next = new Map<string, ProjectSession>();
    const labels = projectLabels(projects);
    projects.forEach((p, i) => {
      const session = this.sessions.get(p.dir) ?? new ProjectSession(p, labels[i], this, this.log);
      session.label = labels[i];
      next.set(p.dir, session);
    });
    const added = projects.filter((p) => !this.sessions.has(p.dir)).map((p) => p.dir);
    this.sessions = next;
    if (projects.length > 1 && (added.length || gone.length)) {
      this.log.info(`Medusa projects: ${[...next.values()].map((s) => `${s.label} (${s.dir})`).join(', ')}`);
    }
    if (this.focused && !next.has(this.focused.dir)) this.focused = undefined;
    if (added.length || gone.length) this.render();
    await Promise.all(gone.map((s) => s.remove()));
  }

  /** Restart Language Server: the project's medusa-ls; with no project, looks for projects again. */
  async restartLanguageServer(target?: ProjectSession): Promise<void> {
    if (this.sessions.size === 0) {
      this.log.info('Restarting medusa-ls.');
      this.setIdle('starting');
      await this.start();
      return;
    }
    const session = target ?? (await this.pick(ClientCommand.restartLanguageServer));
    await session?.restart();
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.dispose()));
  }

  // ---- status bar and context keys ------------------------------------------------------------

  private setIdle(phase: ClientPhase): void {
    this.idle = phase;
    this.render();
  }

  private onActiveEditor(editor: vscode.TextEditor | undefined): void {
    const session = this.sessionOf(editor?.document.uri);
    if (session) this.focused = session;
    this.render();
  }

  private sessionOf(uri: vscode.Uri | undefined): ProjectSession | undefined {
    if (!uri || uri.scheme !== 'file') return undefined;
    return projectForPath([...this.sessions.values()], uri.fsPath);
  }

  /**
   * The project the status bar shows: the one the active editor last moved to, or that Switch
   * Project chose since; at first the active editor's, else the first project.
   */
  shownSession(): ProjectSession | undefined {
    if (!this.focused) this.focused = this.sessionOf(vscode.window.activeTextEditor?.document.uri) ?? this.sessions.values().next().value;
    return this.focused;
  }

  private render(): void {
    const all = [...this.sessions.values()];
    const shown = this.shownSession();
    if (!shown) {
      this.bar.update({ phase: this.idle });
      this.setContext(contextKeys(undefined, []));
      return;
    }
    const multi = all.length > 1;
    const { phase, status, showLastReload, detail } = shown.state;
    this.bar.update({
      phase,
      status,
      showLastReload,
      detail,
      project: multi ? shown.label : undefined,
      others: multi ? all.filter((s) => s !== shown).map((s) => ({ label: s.label, text: plainStatus(s) })) : undefined,
    });
    // The palette's when clauses follow the project its commands act on (pick).
    const target = this.sessionOf(vscode.window.activeTextEditor?.document.uri) ?? shown;
    this.setContext(contextKeys(target.state, all.map((s) => s.state)));
  }

  /** setContext for the keys whose value changed. */
  private setContext(keys: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(keys)) {
      if (this.contextValues.get(key) === value) continue;
      this.contextValues.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  // ---- settings -------------------------------------------------------------------------------

  private onConfigChange(e: vscode.ConfigurationChangeEvent): void {
    if (this.sessions.size === 0) {
      // No project yet (restricted, or none found): a new medusa.server.path is a reason to look again.
      if (e.affectsConfiguration('medusa.server.path')) void this.restartLanguageServer();
      return;
    }
    for (const s of this.sessions.values()) s.onConfigChange(e);
  }

  // ---- commands -------------------------------------------------------------------------------

  /**
   * Registers a command a server advertises, once for all projects (the language client's own
   * registration is off, session.ts): it runs in the project chosen by `pick`.
   */
  private registerServerCommand(id: string): void {
    if (this.registered.has(id) || clashingCommands([id]).length) return;
    this.registered.add(id);
    this.disposables.push(vscode.commands.registerCommand(id, (...args: unknown[]) => this.runServerCommand(id, args)));
  }

  async runServerCommand(id: string, args: unknown[], target?: ProjectSession): Promise<unknown> {
    const session = target ?? (await this.pick(id));
    return session?.runServerCommand(id, args);
  }

  async openUrl(target?: ProjectSession): Promise<void> {
    const session = target ?? (await this.pick(ClientCommand.openUrl));
    if (session) await session.openUrl();
    else void vscode.window.showInformationMessage('Medusa: the dev server is not running, so there is no URL to open.');
  }

  async copyCredential(key: 'publishableKey' | 'adminToken', what: string, target?: ProjectSession): Promise<void> {
    const session = target ?? (await this.pick(key === 'publishableKey' ? ClientCommand.copyPublishableKey : ClientCommand.copyAdminToken));
    if (session) await session.copyCredential(key, what);
    else void vscode.window.showInformationMessage(`Medusa: the dev server has no development ${what} (the node runtime uses your project's own keys and users).`);
  }

  /**
   * The project a command acts on: the active editor's; else the only one; else the only one
   * that can run it; else the user's pick, the shown one first (undefined when cancelled or
   * there is no project).
   */
  private async pick(command: string): Promise<ProjectSession | undefined> {
    const sessions = [...this.sessions.values()];
    const choice = chooseProject(sessions, activeFile(), (s) => canRunOn(s.state, command));
    if ('none' in choice) return undefined;
    if ('project' in choice) return choice.project;
    const shown = this.shownSession();
    const ordered = [...choice.ask].sort((a, b) => (a === shown ? -1 : b === shown ? 1 : 0));
    const picked = await vscode.window.showQuickPick(
      ordered.map((s) => ({ label: s.label, description: plainStatus(s), detail: s.dir, session: s })),
      { title: `Medusa: ${commandTitle(command)}`, placeHolder: 'Which Medusa project?' },
    );
    return picked?.session;
  }

  /** Shows `session` in the status bar until the active editor moves to another project. */
  focus(session: ProjectSession): void {
    this.focused = session;
    this.render();
  }

  /** The projects, in workspace-folder order. */
  get projects(): readonly ProjectSession[] {
    return [...this.sessions.values()];
  }

  /** What the status bar says while there is no project. */
  get idlePhase(): ClientPhase {
    return this.idle;
  }
}

function activeFile(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
}

/** A project's status-bar text without its icon and name: "ready on :9000". */
export function plainStatus(s: ProjectSession): string {
  return statusSummary(s.state);
}
