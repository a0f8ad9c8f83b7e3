// Input for the server commands that take arguments, when run from the palette or the menu.
import * as vscode from 'vscode';
import { emitEventArgs, jobNamesFromSymbols, parseEventData, validateEventName, validateJobName, type SymbolLike } from './commands';

const LAST_EVENT = 'medusa.lastEvent';
const LAST_DATA = 'medusa.lastEventData';
const LAST_JOB = 'medusa.lastJob';

/** Asks for the event name and its JSON data. undefined when cancelled. */
export async function promptEmitEvent(state: vscode.Memento): Promise<unknown[] | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Medusa: Emit Event (1/2)',
    prompt: 'Event name',
    placeHolder: 'product.created',
    value: state.get<string>(LAST_EVENT, ''),
    ignoreFocusOut: true,
    validateInput: validateEventName,
  });
  if (name === undefined) return undefined;
  const text = await vscode.window.showInputBox({
    title: 'Medusa: Emit Event (2/2)',
    prompt: `Data for ${name.trim()}: a JSON object, or empty for none`,
    placeHolder: '{"id": "prod_123"}',
    value: state.get<string>(LAST_DATA, ''),
    ignoreFocusOut: true,
    validateInput: (t) => {
      const r = parseEventData(t);
      return r.ok ? undefined : r.error;
    },
  });
  if (text === undefined) return undefined;
  const data = parseEventData(text);
  if (!data.ok) return undefined; // unreachable: validateInput blocks it
  await state.update(LAST_EVENT, name.trim());
  await state.update(LAST_DATA, text.trim());
  return emitEventArgs(name, data.value);
}

/**
 * Asks which job to run: a quick pick of the jobs the server lists (workspace/symbol), else an
 * input box. undefined when cancelled.
 */
export async function promptRunJob(
  state: vscode.Memento,
  listSymbols: (() => Promise<readonly SymbolLike[] | null | undefined>) | undefined,
): Promise<unknown[] | undefined> {
  let names: string[] = [];
  if (listSymbols) {
    try {
      names = jobNamesFromSymbols(await listSymbols());
    } catch {
      names = [];
    }
  }
  const last = state.get<string>(LAST_JOB, '');
  let name: string | undefined;
  if (names.length > 0) {
    const other = '$(edit) Another job…';
    const items: vscode.QuickPickItem[] = names.map((n) => ({ label: n, description: n === last ? 'last run' : undefined }));
    items.push({ label: other, alwaysShow: true });
    const picked = await vscode.window.showQuickPick(items, { title: 'Medusa: Run Job', placeHolder: 'Job to run now', ignoreFocusOut: true });
    if (!picked) return undefined;
    name = picked.label === other ? undefined : picked.label;
  }
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: 'Medusa: Run Job',
      prompt: 'Name of the scheduled job (its config.name)',
      placeHolder: 'sync-products',
      value: last,
      ignoreFocusOut: true,
      validateInput: validateJobName,
    });
    if (name === undefined) return undefined;
  }
  await state.update(LAST_JOB, name.trim());
  return [name.trim()];
}
