// One Medusa project's language server: finds the medusa-ls binary for the project, starts it,
// follows medusa/status, forwards settings and runs the server's commands. Which projects there
// are, the status bar, the context keys and which project a command acts on belong to the
// workspace (controller.ts), which creates one session per project.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  WorkspaceSymbolRequest,
  type DynamicFeature,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import { describeAttempts, resolveServerBinary, bundledBinaryPath, type BinarySource, type Probe } from './binary';
import { advertisedCommands, clashingCommands, describeCommandResult, needsPrompt, type ProjectState, type SymbolLike } from './commands';
import { serverLaunch, type LaunchSpec } from './launch';
import { ClientOutput, ProjectLog } from './output';
import type { Project } from './project';
import { promptEmitEvent, promptRunJob } from './prompts';
import { CLIENT_ID, CLIENT_NAME, STATUS_NOTIFICATION, ServerCommand, parseStatus, type InitializationOptions, type MedusaStatus } from './protocol';
import { spawnServer, withTimeout, type ServerProcess } from './serverProcess';
import { didChangeConfigurationParams, optionsDiffer, reactionToConfigChange, toInitializationOptions } from './settings';
import { isNewReload, type ClientPhase } from './status';

const RELOAD_MESSAGE_MS = 8000;
/**
 * How long medusa-ls gets to exit once it failed to start (its stderr says why) or was stopped;
 * it normally takes a few milliseconds. After that it is killed.
 */
export const EXIT_WAIT_MS = 2000;
/** How long Run Job waits for the server's list of jobs before asking for a name instead. */
const SYMBOLS_WAIT_MS = 3000;

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

interface Binary {
  path: string;
  source: BinarySource;
}

/** What a session needs from the workspace around it. */
export interface SessionHost {
  readonly context: vscode.ExtensionContext;
  /** How many projects the workspace serves now (names and log lines say which project when > 1). */
  projectCount(): number;
  /** What the status bar or the context keys show for this project changed. */
  changed(session: ProjectSession): void;
}

/**
 * vscode-languageclient without its execute-command feature: that feature registers each
 * advertised command as a VS Code command, which a second project's client cannot do again
 * ("command already exists"). The workspace registers them once and sends each to one project
 * (runServerCommand).
 */
class MedusaLanguageClient extends LanguageClient {
  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    if ('registrationType' in feature && feature.registrationType.method === ExecuteCommandRequest.method) return;
    super.registerFeature(feature);
  }
}

export class ProjectSession implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The medusa-ls process of the current client (a new one after each restart). */
  private process: ServerProcess | undefined;
  private phase: ClientPhase = 'starting';
  private status: MedusaStatus | undefined;
  private showLastReload = false;
  private reloadTimer: NodeJS.Timeout | undefined;
  private detail: string | undefined;
  private advertised: string[] = [];
  private sentOptions: InitializationOptions | undefined;
  private starting: Promise<void> | undefined;
  private connected: object | undefined;
  /** Set once its folder left the workspace: its last log lines still say which project. */
  private removed = false;
  readonly log: ProjectLog;
  private readonly clientOutput: ClientOutput;

  constructor(
    readonly project: Project<vscode.WorkspaceFolder>,
    /** Short name in the status bar and the log (projectLabels). */
    public label: string,
    private readonly host: SessionHost,
    log: vscode.LogOutputChannel,
  ) {
    this.log = new ProjectLog(log, () => (host.projectCount() > 1 || this.removed ? `[${this.label}] ` : ''));
    this.clientOutput = new ClientOutput(this.log);
  }

  get dir(): string {
    return this.project.dir;
  }
  get folder(): vscode.WorkspaceFolder {
    return this.project.folder;
  }

  // ---- state shown to the user ---------------------------------------------------------------

  get state(): ProjectState & { showLastReload: boolean; detail?: string } {
    return { phase: this.phase, status: this.status, advertised: this.advertised, showLastReload: this.showLastReload, detail: this.detail };
  }

  /** " for store" when the workspace has several projects, else "". */
  private forProject(): string {
    return this.host.projectCount() > 1 ? ` for ${this.label}` : '';
  }

  private setPhase(phase: ClientPhase, detail?: string): void {
    this.phase = phase;
    this.detail = detail;
    if (phase !== 'running') this.status = undefined;
    this.host.changed(this);
  }

  private setAdvertised(commands: string[]): void {
    this.advertised = commands;
    this.host.changed(this);
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
        this.host.changed(this);
      }, RELOAD_MESSAGE_MS);
    } else if (next.state !== 'ready') {
      this.showLastReload = false;
    }
    this.status = next;
    if (this.phase !== 'running') this.phase = 'running';
    this.host.changed(this);
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Starts medusa-ls for this project unless it runs already (safe to call repeatedly). */
  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  /** Find the binary, create the client, start it and wait until it runs. */
  private async doStart(): Promise<void> {
    if (this.client) return;
    const binary = this.findBinary();
    if (!binary) return;
    const client = this.createClient(binary);
    await this.launch(client, binary);
  }

  /** Which medusa-ls runs this project (binary.ts); says where it looked, and why not, in the log. */
  private findBinary(): Binary | undefined {
    const config = vscode.workspace.getConfiguration('medusa', this.folder.uri);
    this.ensureBundledExecutable();
    const resolution = resolveServerBinary(
      {
        settingPath: config.get<string>('server.path', ''),
        extensionPath: this.host.context.extensionPath,
        workspaceFolder: this.folder.uri.fsPath,
        projectDir: this.dir,
        home: os.homedir(),
        platform: process.platform,
        arch: process.arch,
        envPath: process.env.PATH,
        pathExt: process.env.PATHEXT,
      },
      fsProbe,
    );
    this.log.info(`Medusa project: ${this.dir}`);
    this.log.info('Looking for medusa-ls:');
    for (const line of describeAttempts(resolution.tried)) this.log.info(line);
    if (!resolution.ok) {
      this.log.error(resolution.message);
      this.setPhase('not-found', resolution.message);
      void this.showStartError(`Medusa could not start medusa-ls${this.forProject()}: ${resolution.message}`);
      return undefined;
    }
    this.log.info(`Using ${SOURCE_NAMES[resolution.source]}: ${resolution.path}`);
    return { path: resolution.path, source: resolution.source };
  }

  /** The settings as initializationOptions, with a warning in the log for each value ignored. */
  private currentOptions(): InitializationOptions {
    const mapped = toInitializationOptions((k) => vscode.workspace.getConfiguration('medusa', this.folder.uri).get(k));
    for (const w of mapped.warnings) this.log.warn(w);
    return mapped.options;
  }

  /** The language client for `binary`, following its state and medusa/status. Not started yet. */
  private createClient(binary: Binary): LanguageClient {
    const options = this.currentOptions();
    const launch = serverLaunch(binary.path, this.dir, process.env);
    let everRunning = false;
    let fallback: ErrorHandler | undefined;
    const defaultHandler = () => (fallback ??= client.createDefaultErrorHandler());

    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', pattern: `${this.dir.replace(/\\/g, '/')}/**/*` }],
      workspaceFolder: this.folder,
      initializationOptions: options,
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
        workspace: {
          // A server that pulls its settings gets the same shape as initializationOptions.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return params.items.map((item, i) =>
              item.section === 'medusa' ? toInitializationOptions((k) => vscode.workspace.getConfiguration('medusa', this.folder.uri).get(k)).options : result[i],
            );
          },
        },
      },
    };

    const name = this.host.projectCount() > 1 ? `${CLIENT_NAME} (${this.label})` : CLIENT_NAME;
    const client = new MedusaLanguageClient(CLIENT_ID, name, this.serverOptions(launch), clientOptions);
    this.client = client;
    this.process = undefined; // set when the client spawns it
    this.sentOptions = options;
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
    this.log.info(`Starting ${launch.command} ${launch.args.join(' ')} (in ${launch.options.cwd})`);
    return client;
  }

  /**
   * Spawns medusa-ls (serve --stdio) each time the client starts it, and keeps the process: its
   * exit is what a failed start waits for. stdio without `transport`, so no second `--stdio`.
   */
  private serverOptions(launch: LaunchSpec): ServerOptions {
    return async () => {
      const proc = await spawnServer(launch);
      this.process = proc;
      // What vscode-languageclient logs for a server it spawns itself.
      proc.child.on('exit', (code, signal) => {
        if (code !== null) this.log.error(`Server process exited with code ${code}.`);
        if (signal !== null) this.log.error(`Server process exited with signal ${signal}.`);
      });
      return proc.child;
    };
  }

  /** Starts the client and waits until it runs (initialize answered); reports a failure. */
  private async launch(client: LanguageClient, binary: Binary): Promise<void> {
    this.setPhase('starting');
    try {
      await client.start();
      // vscode-languageclient 9 start() returns the client's `_onStart` field at the end, which
      // its close handler clears when the process exits first: start() then resolves although
      // the server is gone. Not running after start() is a failure.
      if (!client.isRunning()) throw new Error('medusa-ls exited during initialization');
    } catch (err) {
      this.log.debug(`client.start() rejected: ${err instanceof Error ? err.message : String(err)}`);
      await this.reportStartFailure(client, binary, err);
      return;
    }
    this.afterStart(client);
  }

  /** "failed to start", in the status bar and a notification, quoting the server's last stderr lines. */
  private async reportStartFailure(client: LanguageClient, binary: Binary, err: unknown): Promise<void> {
    // The server's own last words say more than "connection got disposed".
    const tail = await this.lastWords();
    const msg = tail ? `it exited: ${tail.split('\n').slice(-2).join(' ')}` : err instanceof Error ? err.message : String(err);
    const detail = `${binary.path} (${binary.source}): ${msg}`;
    this.log.error(`medusa-ls did not start: ${detail}`);
    this.setPhase('failed', detail);
    this.client = undefined;
    void client.dispose().catch(() => undefined);
    void this.showStartError(`Medusa could not start medusa-ls${this.forProject()} (${binary.path}): ${msg}`);
  }

  /**
   * The server's last stderr lines, once it has exited and they have all been read (its process
   * closed). A server that is still running after EXIT_WAIT_MS is killed, and the log says so.
   */
  private async lastWords(): Promise<string> {
    const proc = this.process;
    if (proc && !proc.exit && !(await proc.exitOrKill(EXIT_WAIT_MS))) {
      this.log.warn(`medusa-ls (pid ${proc.child.pid}) failed to start but did not exit within ${EXIT_WAIT_MS} ms; stopped it.`);
    }
    return this.clientOutput.stderrTail();
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
    const p = bundledBinaryPath(this.host.context.extensionPath, process.platform);
    if (fsProbe.kind(p) === 'file' && !fsProbe.isExecutable(p)) {
      try {
        fs.chmodSync(p, 0o755);
      } catch {
        /* reported by the resolver */
      }
    }
  }

  /** Stops medusa-ls (shutdown, exit) and waits for its process to end; kills it if it does not. */
  async stop(): Promise<void> {
    const client = this.client;
    const proc = this.process;
    this.client = undefined;
    this.process = undefined;
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
    if (proc && !proc.exit && !(await proc.exitOrKill(EXIT_WAIT_MS))) {
      this.log.warn(`medusa-ls (pid ${proc.child.pid}) did not exit within ${EXIT_WAIT_MS} ms of being stopped; killed it.`);
    }
  }

  async restart(): Promise<void> {
    this.log.info('Restarting medusa-ls.');
    await this.stop();
    this.setPhase('starting');
    await this.start();
  }

  // ---- settings ---------------------------------------------------------------------------

  onConfigChange(e: vscode.ConfigurationChangeEvent): void {
    const reaction = reactionToConfigChange((s) => e.affectsConfiguration(s, this.folder.uri));
    if (reaction !== 'none') this.log.debug(`configuration changed: ${reaction}`);
    if (reaction === 'restart-client') {
      void this.restart();
      return;
    }
    if (reaction !== 'notify-server') return;
    const client = this.client;
    if (!client || !client.isRunning()) return;
    const options = this.currentOptions();
    if (!optionsDiffer(this.sentOptions, options)) return;
    this.sentOptions = options;
    this.log.info(`Settings changed: ${JSON.stringify(options)}`);
    void client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(options));
  }

  // ---- commands ---------------------------------------------------------------------------

  /**
   * Runs a command the server advertises (palette, status menu, code lens), asking for its
   * arguments when they are missing; shows the result, or the error.
   */
  async runServerCommand(command: string, args: unknown[]): Promise<unknown> {
    const client = this.client;
    if (!client || this.phase !== 'running' || !this.advertised.includes(command)) {
      const why = this.phase === 'running' ? `this medusa-ls does not offer ${command}` : `medusa-ls is not running${this.forProject()}`;
      void vscode.window.showInformationMessage(`Medusa: ${why}.`);
      return undefined;
    }
    let finalArgs = args;
    if (needsPrompt(command, args)) {
      const state = this.host.context.workspaceState;
      const prompted = command === ServerCommand.emitEvent ? await promptEmitEvent(state) : await promptRunJob(state, this.symbolLister());
      if (!prompted) return undefined;
      finalArgs = prompted;
    }
    try {
      const result = await client
        .sendRequest(ExecuteCommandRequest.type, { command, arguments: finalArgs })
        .then(undefined, (error) => client.handleFailedRequest(ExecuteCommandRequest.type, undefined, error, undefined));
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
      try {
        const result = await withTimeout(client.sendRequest(WorkspaceSymbolRequest.type, { query: '' }), SYMBOLS_WAIT_MS, 'the list of jobs (workspace/symbol)');
        return (result ?? undefined) as readonly SymbolLike[] | undefined;
      } catch (err) {
        this.log.debug(`Run Job: ${err instanceof Error ? err.message : String(err)}; asking for the name`);
        return undefined;
      }
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
    await this.stop();
    this.clientOutput.dispose();
  }

  /** Stops the project of a folder that left the workspace. */
  async remove(): Promise<void> {
    this.removed = true;
    this.log.info('Workspace folder removed: stopping medusa-ls.');
    await this.dispose();
  }
}
