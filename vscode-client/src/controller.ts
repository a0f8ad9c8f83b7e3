// Owns the language client: finds the project and the binary, starts medusa-ls, follows
// medusa/status, forwards settings, and keeps the status bar and context keys up to date.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  DidChangeConfigurationNotification,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  WorkspaceSymbolRequest,
  type ErrorHandler,
  type Executable,
  type LanguageClientOptions,
} from 'vscode-languageclient/node';
import { describeAttempts, resolveServerBinary, bundledBinaryPath, type BinarySource, type Probe } from './binary';
import { advertisedCommands, clashingCommands, commandContextKeys, describeCommandResult, needsPrompt, type SymbolLike } from './commands';
import { serverLaunch } from './launch';
import { ClientOutput } from './output';
import { findConfigFiles, pickProjectDir } from './project';
import { promptEmitEvent, promptRunJob } from './prompts';
import { CLIENT_ID, CLIENT_NAME, STATUS_NOTIFICATION, ServerCommand, parseStatus, type InitializationOptions, type MedusaStatus } from './protocol';
import { didChangeConfigurationParams, optionsDiffer, reactionToConfigChange, toInitializationOptions } from './settings';
import { isNewReload, type ClientPhase } from './status';
import { StatusBar } from './statusBar';

const RELOAD_MESSAGE_MS = 8000;

const fsProbe: Probe = {
  kind(p) {
    try {
      return fs.statSync(p).isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  },
  isExecutable(p) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  realpath(p) {
    try {
      return fs.realpathSync(p);
    } catch {
      return undefined;
    }
  },
};

const SOURCE_NAMES: Record<BinarySource, string> = {
  setting: 'medusa-ls from medusa.server.path',
  workspace: "the project's medusa-ls (node_modules)",
  bundled: 'the medusa-ls bundled with the extension',
  path: 'medusa-ls from PATH',
};

export class MedusaController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private phase: ClientPhase = 'starting';
  private status: MedusaStatus | undefined;
  private showLastReload = false;
  private reloadTimer: NodeJS.Timeout | undefined;
  private detail: string | undefined;
  private advertised: string[] = [];
  private sentOptions: InitializationOptions | undefined;
  private folder: vscode.WorkspaceFolder | undefined;
  private starting: Promise<void> | undefined;
  private connected: object | undefined;
  private readonly clientOutput: ClientOutput;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly bar: StatusBar,
  ) {
    this.clientOutput = new ClientOutput(log);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigChange(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trusted: starting medusa-ls.');
        void this.start();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (!this.client) void this.start();
      }),
    );
  }

  // ---- state shown to the user ---------------------------------------------------------------

  get currentStatus(): MedusaStatus | undefined {
    return this.status;
  }
  get currentPhase(): ClientPhase {
    return this.phase;
  }
  get advertisedCommands(): readonly string[] {
    return this.advertised;
  }

  private setPhase(phase: ClientPhase, detail?: string): void {
    this.phase = phase;
    this.detail = detail;
    if (phase !== 'running') this.status = undefined;
    this.render();
  }

  private render(): void {
    this.bar.update({ phase: this.phase, status: this.status, showLastReload: this.showLastReload, detail: this.detail });
    const state = this.phase === 'running' ? (this.status?.state ?? 'starting') : 'none';
    void vscode.commands.executeCommand('setContext', 'medusa.devServer', state);
    void vscode.commands.executeCommand('setContext', 'medusa.hasUrl', this.phase === 'running' && !!this.status?.url);
    void vscode.commands.executeCommand('setContext', 'medusa.hasCredentials', this.phase === 'running' && !!this.status?.credentials?.publishableKey);
  }

  private setAdvertised(commands: string[]): void {
    this.advertised = commands;
    for (const [key, value] of Object.entries(commandContextKeys(commands))) {
      void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  private onStatus(raw: unknown): void {
    const next = parseStatus(raw);
    if (!next) {
      this.log.warn(`Ignored a malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(raw)}`);
      return;
    }
    if (isNewReload(this.status, next)) {
      this.showLastReload = true;
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => {
        this.showLastReload = false;
        this.reloadTimer = undefined;
        this.render();
      }, RELOAD_MESSAGE_MS);
    } else if (next.state !== 'ready') {
      this.showLastReload = false;
    }
    this.status = next;
    if (this.phase !== 'running') this.phase = 'running';
    this.render();
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Starts medusa-ls unless it runs already (safe to call repeatedly). */
  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    if (!vscode.workspace.isTrusted) {
      this.log.warn(
        "Restricted Mode: medusa-ls is not started because the dev server would run this project's code. " +
          'Trust the folder (Manage Workspace Trust) to start it.',
      );
      this.setPhase('untrusted');
      return;
    }

    const found = await this.findProject();
    if (!found) {
      this.log.info('No medusa-config.{ts,js,mjs,cjs} at the root of a workspace folder, one folder down or in apps/* or packages/*: nothing to start.');
      this.setPhase('no-project');
      return;
    }
    this.folder = found.folder;

    const config = vscode.workspace.getConfiguration('medusa', found.folder.uri);
    this.ensureBundledExecutable();
    const resolution = resolveServerBinary(
      {
        settingPath: config.get<string>('server.path', ''),
        extensionPath: this.context.extensionPath,
        workspaceFolder: found.folder.uri.fsPath,
        projectDir: found.dir,
        home: os.homedir(),
        platform: process.platform,
        arch: process.arch,
        envPath: process.env.PATH,
        pathExt: process.env.PATHEXT,
      },
      fsProbe,
    );
    this.log.info(`Medusa project: ${found.dir}`);
    this.log.info('Looking for medusa-ls:');
    for (const line of describeAttempts(resolution.tried)) this.log.info(line);
    if (!resolution.ok) {
      this.log.error(resolution.message);
      this.setPhase('not-found', resolution.message);
      void this.showStartError(`Medusa could not start medusa-ls: ${resolution.message}`);
      return;
    }
    this.log.info(`Using ${SOURCE_NAMES[resolution.source]}: ${resolution.path}`);

    const mapped = toInitializationOptions((k) => config.get(k));
    for (const w of mapped.warnings) this.log.warn(w);
    const launch = serverLaunch(resolution.path, found.dir, process.env);
    const serverOptions: Executable = { command: launch.command, args: launch.args, options: launch.options };
    // No `transport`: stdio without vscode-languageclient appending another `--stdio`.

    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', pattern: `${found.dir.replace(/\\/g, '/')}/**/*` }],
      workspaceFolder: found.folder,
      initializationOptions: mapped.options,
      outputChannel: this.clientOutput,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // vscode-languageclient's default handler (restart up to 4 times in 3 minutes) once the
      // server has run; a server that never finished initializing is not restarted in a loop.
      errorHandler: {
        error: (error, message, count) =>
          everRunning ? defaultHandler().error(error, message, count) : { action: ErrorAction.Shutdown, handled: true },
        closed: () => (everRunning ? defaultHandler().closed() : { action: CloseAction.DoNotRestart, handled: true }),
      },
      // No toast of the bare initialize error: start() failing shows one with the server's stderr.
      initializationFailedHandler: (error) => {
        this.log.error(`initialize failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
      diagnosticCollectionName: 'medusa',
      markdown: { isTrusted: false, supportHtml: false },
      middleware: {
        executeCommand: (command, args, next) => this.executeCommand(command, args, next),
        workspace: {
          // A server that pulls its settings gets the same shape as initializationOptions.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return params.items.map((item, i) =>
              item.section === 'medusa' ? toInitializationOptions((k) => vscode.workspace.getConfiguration('medusa', this.folder?.uri).get(k)).options : result[i],
            );
          },
        },
      },
    };

    let everRunning = false;
    let fallback: ErrorHandler | undefined;
    const defaultHandler = () => (fallback ??= client.createDefaultErrorHandler());
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    this.sentOptions = mapped.options;
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => this.onStatus(params));
    client.onDidChangeState((e) => {
      this.log.debug(`client state ${State[e.oldState]} → ${State[e.newState]}`);
      if (this.client !== client) return;
      if (e.newState === State.Starting) this.setPhase('starting');
      else if (e.newState === State.Running) {
        everRunning = true;
        this.afterStart(client);
      } else if (e.newState === State.Stopped) {
        this.clientOutput.flush();
        this.setAdvertised([]);
        // Never ran: start() rejects and reports "failed to start" with the server's stderr.
        if (!everRunning) return;
        if (this.phase !== 'failed') this.setPhase('stopped', 'medusa-ls exited. See the Medusa output; Restart Language Server starts it again.');
      }
    });

    this.setPhase('starting');
    this.log.info(`Starting ${launch.command} ${launch.args.join(' ')} (in ${launch.options.cwd})`);
    try {
      await client.start();
      // vscode-languageclient 9 start() returns the client's `_onStart` field at the end, which
      // its close handler clears when the process exits first: start() then resolves although
      // the server is gone. Not running after start() is a failure.
      if (!client.isRunning()) throw new Error('medusa-ls exited during initialization');
    } catch (err) {
      this.log.debug(`client.start() rejected: ${err instanceof Error ? err.message : String(err)}`);
      // The server's own last words say more than "connection got disposed".
      await new Promise((r) => setTimeout(r, 300));
      const tail = this.clientOutput.stderrTail();
      const msg = tail ? `it exited: ${tail.split('\n').slice(-2).join(' ')}` : err instanceof Error ? err.message : String(err);
      const detail = `${resolution.path} (${resolution.source}): ${msg}`;
      this.log.error(`medusa-ls did not start: ${detail}`);
      this.setPhase('failed', detail);
      this.client = undefined;
      void client.dispose().catch(() => undefined);
      void this.showStartError(`Medusa could not start medusa-ls (${resolution.path}): ${msg}`);
      return;
    }
    this.afterStart(client);
  }

  private afterStart(client: LanguageClient): void {
    // Called from the Running state change and after start() resolves: once per connection.
    const init = client.initializeResult;
    if (!init || this.connected === init) return;
    this.connected = init;
    const commands = advertisedCommands(client.initializeResult?.capabilities);
    const clash = clashingCommands(commands);
    if (clash.length) this.log.warn(`medusa-ls advertises ${clash.join(', ')}, which the extension implements itself.`);
    this.setAdvertised(commands);
    if (this.phase !== 'running') this.setPhase('running');
    const info = client.initializeResult?.serverInfo;
    if (info) this.log.info(`Connected to ${info.name}${info.version ? ` ${info.version}` : ''}; commands: ${commands.join(', ') || 'none'}`);
  }

  private async showStartError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'medusa.server.path');
    else if (choice === 'Show Output') this.log.show();
  }

  private ensureBundledExecutable(): void {
    if (process.platform === 'win32') return;
    const p = bundledBinaryPath(this.context.extensionPath, process.platform);
    if (fsProbe.kind(p) === 'file' && !fsProbe.isExecutable(p)) {
      try {
        fs.chmodSync(p, 0o755);
      } catch {
        /* reported by the resolver */
      }
    }
  }

  private async findProject(): Promise<{ folder: vscode.WorkspaceFolder; dir: string } | undefined> {
    const found: { folder: vscode.WorkspaceFolder; dir: string }[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const dir = pickProjectDir(folder.uri.fsPath, await findConfigFiles(folder.uri.fsPath));
      if (dir) found.push({ folder, dir });
    }
    if (found.length > 1) this.log.info(`Several Medusa projects; using the first: ${found.map((f) => f.dir).join(', ')}`);
    return found[0];
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.setAdvertised([]);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.log.warn(`Stopping medusa-ls: ${err instanceof Error ? err.message : String(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
  }

  async restartLanguageServer(): Promise<void> {
    this.log.info('Restarting medusa-ls.');
    await this.stop();
    this.setPhase('starting');
    await this.start();
  }

  // ---- settings ---------------------------------------------------------------------------

  private onConfigChange(e: vscode.ConfigurationChangeEvent): void {
    const reaction = reactionToConfigChange((s) => e.affectsConfiguration(s));
    if (reaction !== 'none') this.log.debug(`configuration changed: ${reaction}`);
    if (reaction === 'restart-client') {
      void this.restartLanguageServer();
      return;
    }
    if (reaction !== 'notify-server') return;
    const client = this.client;
    if (!client || !client.isRunning()) return;
    const mapped = toInitializationOptions((k) => vscode.workspace.getConfiguration('medusa', this.folder?.uri).get(k));
    for (const w of mapped.warnings) this.log.warn(w);
    if (!optionsDiffer(this.sentOptions, mapped.options)) return;
    this.sentOptions = mapped.options;
    this.log.info(`Settings changed: ${JSON.stringify(mapped.options)}`);
    void client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(mapped.options));
  }

  // ---- commands ---------------------------------------------------------------------------

  /** vscode-languageclient middleware for every server command (palette, menu, code lens). */
  private async executeCommand(command: string, args: unknown[], next: (command: string, args: unknown[]) => unknown): Promise<unknown> {
    let finalArgs = args;
    if (needsPrompt(command, args)) {
      const prompted =
        command === ServerCommand.emitEvent
          ? await promptEmitEvent(this.context.workspaceState)
          : await promptRunJob(this.context.workspaceState, this.symbolLister());
      if (!prompted) return undefined;
      finalArgs = prompted;
    }
    try {
      const result = await next(command, finalArgs);
      const text = describeCommandResult(result);
      if (text) vscode.window.setStatusBarMessage(`Medusa: ${text}`, 6000);
      return result;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.log.error(`${command} ${JSON.stringify(finalArgs)} failed: ${msg}`);
      void vscode.window.showErrorMessage(`Medusa: ${msg}`, 'Show Output').then((c) => c && this.log.show());
      return undefined;
    }
  }

  private symbolLister(): (() => Promise<readonly SymbolLike[] | null | undefined>) | undefined {
    const client = this.client;
    if (!client?.initializeResult?.capabilities.workspaceSymbolProvider) return undefined;
    return async () => {
      const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000));
      const result = await Promise.race([client.sendRequest(WorkspaceSymbolRequest.type, { query: '' }), timeout]);
      return (result ?? undefined) as readonly SymbolLike[] | undefined;
    };
  }

  /** Copies one of the dev server's development credentials (medusa/status `credentials`). */
  async copyCredential(key: 'publishableKey' | 'adminToken', what: string): Promise<void> {
    const value = this.status?.credentials?.[key];
    if (!value) {
      void vscode.window.showInformationMessage(`Medusa: the dev server has no development ${what} (the node runtime uses your project's own keys and users).`);
      return;
    }
    await vscode.env.clipboard.writeText(value);
    vscode.window.setStatusBarMessage(`Medusa: ${what} copied`, 4000);
  }

  async openUrl(): Promise<void> {
    const url = this.status?.url;
    if (!url) {
      void vscode.window.showInformationMessage('Medusa: the dev server is not running, so there is no URL to open.');
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    await this.stop();
    this.clientOutput.dispose();
  }
}
