// Playwright (playwright-core + Debian chromium) against a running code-server. Called by run.sh
// with E2E_URL, E2E_PROJECT, E2E_MODE (real | fake | no-server | restricted | multi),
// E2E_ARTIFACTS, E2E_PLAYWRIGHT, E2E_CHROMIUM (and E2E_WORKSPACE, the .code-workspace file of
// the multi mode). Prints one line per check and exits non-zero when one fails.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const require = createRequire(import.meta.url);
const { chromium } = require(env.E2E_PLAYWRIGHT);
const mode = env.E2E_MODE;
const art = env.E2E_ARTIFACTS;
mkdirSync(art, { recursive: true });
const T = mode === 'real' ? 90_000 : 45_000; // slow steps: first start of the dev server

const results = [];
const t0 = Date.now();
function check(name, ok, detail = '') {
  results.push({ name, ok, detail, at: Date.now() - t0 });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) throw new Error(`${name}: ${detail}`);
}

const browser = await chromium.launch({ executablePath: env.E2E_CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error' && /medusa/i.test(m.text())) consoleErrors.push(m.text());
});

const statusItem = () => page.locator('.statusbar-item', { hasText: /Medusa/ }).first();
async function statusText() {
  return ((await statusItem().textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
}
async function waitStatus(re, timeout, what) {
  const until = Date.now() + timeout;
  let last = '';
  while (Date.now() < until) {
    last = await statusText();
    if (re.test(last)) return last;
    // A client that gave up will not recover by waiting.
    if (/Medusa: (failed to start|medusa-ls not found|language server stopped)/.test(last) && !re.test(last)) break;
    await page.waitForTimeout(250);
  }
  check(what, false, `status bar is "${last}", expected ${re}`);
}
async function shot(name) {
  const file = join(art, `${mode}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
async function panelText(selector) {
  return ((await page.locator(selector).first().innerText({ timeout: 2000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ');
}
async function waitPanel(selector, pred, timeout, what) {
  const until = Date.now() + timeout;
  let last = '';
  while (Date.now() < until) {
    last = await panelText(selector);
    if (pred(last)) return last;
    await page.waitForTimeout(250);
  }
  check(what, false, `${selector} says "${last.slice(0, 400)}"`);
}
async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}
async function openFile(segments) {
  const explorer = page.locator('.explorer-folders-view');
  if (!(await explorer.isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+E');
  await explorer.waitFor({ timeout: 30_000 });
  for (const name of segments) {
    const row = page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) })
      .first();
    await row.waitFor({ timeout: 15_000 });
    const expanded = await row.getAttribute('aria-expanded');
    if (expanded !== 'true') await row.click();
    await page.waitForTimeout(150);
  }
  const last = segments[segments.length - 1];
  await page.locator('.tabs-container .tab', { hasText: last }).first().waitFor({ timeout: 15_000 });
}

/** The multi mode: two projects (shop, admin) in one multi-root workspace. */
async function multiRoot() {
  const [shopPort, adminPort] = [env.E2E_DEV_PORT, env.E2E_DEV_PORT2];
  const answers = (port) => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
  const waitAnswers = async (port, want, what) => {
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      if ((await answers(port)) === want) return;
      await page.waitForTimeout(250);
    }
    check(what, false, `port ${port} ${want ? 'does not answer' : 'still answers'}`);
  };
  const writeWorkspace = (folders) => writeFileSync(env.E2E_WORKSPACE, JSON.stringify({ folders: folders.map((path) => ({ path })) }, null, 2));
  const openIn = async (folder) => {
    await runCommand('Collapse Folders in Explorer');
    await openFile([folder, 'src', 'api', 'store', 'hello', 'route.ts']);
  };

  const first = await waitStatus(/Medusa \((shop|admin)\): ready on :\d+/, T, 'status bar names the project it shows');
  check('two projects: the status bar names the project it shows', true, first);
  await waitAnswers(shopPort, true, 'shop dev server answers');
  await waitAnswers(adminPort, true, 'admin dev server answers');
  check('one dev server per project, each on the port of its folder settings', true, `:${shopPort} and :${adminPort}`);

  await openIn('admin');
  check('status bar follows the active editor (admin)', true, await waitStatus(new RegExp(`Medusa \\(admin\\): ready on :${adminPort}`), T, 'admin shown'));
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('export const broken = ;', { delay: 10 });
  await page.keyboard.press('Control+S');
  check("admin's reload error in admin's status", true, await waitStatus(/Medusa \(admin\): 1 error/, T, 'admin: 1 error'));
  await page.keyboard.press('Control+Shift+M');
  const pText = await waitPanel('.markers-panel', (t) => /route\.ts/.test(t) && /medusa/.test(t), 20_000, 'Problems lists the error');
  check('Problems lists the error', true, pText.slice(0, 200));
  await shot('admin-error');
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Control+Shift+K');
  await page.keyboard.press('Control+S');
  check('fixed', true, await waitStatus(/Medusa \(admin\): (reloaded route\.ts in|ready on :)/, T, 'admin clears'));

  // A palette command acts on the active editor's project only.
  await runCommand('Medusa: Stop Dev Server');
  check("Stop Dev Server stops the active editor's project", true, await waitStatus(/Medusa \(admin\): stopped/, 15_000, 'admin stopped'));
  await waitAnswers(adminPort, false, 'admin dev server stopped');
  check('the other project keeps serving', await answers(shopPort), `:${shopPort}`);

  await openIn('shop');
  check('status bar follows the active editor (shop)', true, await waitStatus(new RegExp(`Medusa \\(shop\\): ready on :${shopPort}`), T, 'shop shown'));
  await statusItem().hover();
  // (The open editor has hover elements of its own: look for ours by its text.)
  const hover = page.locator('.monaco-hover, .workbench-hover, .hover-contents', { hasText: 'Other Medusa projects' }).first();
  const tip = await hover.innerText({ timeout: 10_000 }).catch(() => '');
  check('tooltip lists the other project', /admin: stopped/.test(tip), tip.replace(/\s+/g, ' ').slice(0, 200));
  await page.mouse.move(700, 300);

  // The status menu switches to another project and acts on it.
  const menuPick = async (label) => {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
  };
  await statusItem().click();
  await menuPick('Switch Project');
  await menuPick('/work/admin'); // the project's row (its path), not "Copy Admin Token"
  check('menu: Switch Project… shows admin', true, await waitStatus(/Medusa \(admin\): stopped/, 10_000, 'admin shown'));
  await menuPick('Start Dev Server');
  check('menu: Switch Project… then Start Dev Server starts admin', true, await waitStatus(/Medusa \(admin\): ready on :\d+/, 15_000, 'admin ready again'));
  await waitAnswers(adminPort, true, 'admin dev server answers again');
  await shot('two-projects');

  // Removing a folder stops its project; adding it back starts it.
  writeWorkspace(['shop']);
  await waitAnswers(adminPort, false, 'removing the admin folder stops its dev server');
  check('removing a folder stops its project', true);
  check('one project left: the status bar reads as with one folder', true, await waitStatus(new RegExp(`^\\S*\\s*Medusa: ready on :${shopPort}`), 15_000, 'single-root status'));
  writeWorkspace(['shop', 'admin']);
  await waitAnswers(adminPort, true, 'adding the admin folder starts its dev server');
  check('adding a folder starts its project', true);
  check('two projects again: the status bar names the project', true, await waitStatus(/Medusa \(shop\): ready on :\d+/, 15_000, 'labelled status'));
}

let failed = false;
try {
  const open = env.E2E_WORKSPACE ? `workspace=${encodeURIComponent(env.E2E_WORKSPACE)}` : `folder=${encodeURIComponent(env.E2E_PROJECT)}`;
  await page.goto(`${env.E2E_URL}/?${open}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  check('workbench loaded', true, env.E2E_PROJECT);
  await statusItem().waitFor({ timeout: 60_000 });
  check('extension activated (Medusa status bar item)', true, await statusText());

  if (mode === 'restricted') {
    const text = await waitStatus(/Medusa: restricted/, T, 'status bar says restricted');
    check('untrusted: status bar says restricted, nothing started', true, text);
    // VS Code asks first; browse in Restricted Mode.
    const no = page.getByRole('button', { name: /No, I don.t trust/ });
    if (await no.isVisible({ timeout: 10_000 }).catch(() => false)) await no.click();
    await statusItem().hover();
    const tip = await waitPanel('.monaco-hover, .workbench-hover, .hover-contents', (t) => /untrusted workspace/.test(t), 10_000, 'tooltip explains why');
    check('tooltip explains why', true, tip.slice(0, 160));
    await shot('restricted');
    // Our item's click opens Manage Workspace Trust; trust the folder there.
    await page.mouse.move(700, 300);
    await statusItem().click();
    const editor = page.locator('.workspace-trust-editor');
    await editor.waitFor({ timeout: 15_000 });
    check('clicking the item opens Manage Workspace Trust', true);
    await editor.getByRole('button', { name: /^Trust( Folder)?$/ }).first().click();
    const ready = await waitStatus(/Medusa: ready on :\d+/, T, 'trusting the folder starts the dev server');
    check('trusting the folder starts the dev server (no reload)', true, ready);
  } else if (mode === 'multi') {
    await multiRoot();
  } else if (mode === 'no-server') {
    const text = await waitStatus(/Medusa: medusa-ls not found/, T, 'status bar says medusa-ls not found');
    check('status bar says medusa-ls not found', true, text);
    const toast = await waitPanel('.notifications-toasts', (t) => /could not start medusa-ls/.test(t), 20_000, 'notification: could not start medusa-ls');
    check('notification: could not start medusa-ls', true, toast.slice(0, 200));
    await shot('not-found');
    await statusItem().click();
    const menu = await waitPanel('.quick-input-widget', (t) => /Show Output/.test(t) && /medusa\.server\.path/.test(t), 10_000, 'status menu offers Show Output and the setting');
    check('status menu offers Show Output and Set medusa.server.path', true, menu.slice(0, 200));
    await page.keyboard.press('Escape');
  } else {
    const ready = await waitStatus(/Medusa: ready on :\d+/, T, 'status bar: ready');
    check('status bar: ready', true, ready);
    const port = ready.match(/:(\d+)/)[1];
    check('dev server on the port from medusa.devServer.port', port === env.E2E_DEV_PORT, `:${port}`);

    await openFile(['src', 'api', 'store', 'hello', 'route.ts']);
    check('opened src/api/store/hello/route.ts', true);
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('export const broken = ;', { delay: 10 });
    await page.keyboard.press('Control+S');

    const problems = page.locator('.markers-panel');
    const errText = await waitStatus(/Medusa: \d+ errors?/, T, 'status bar: N errors');
    check('status bar shows the error', true, errText);
    await page.keyboard.press('Control+Shift+M');
    await problems.first().waitFor({ timeout: 15_000 });
    const pText = await waitPanel('.markers-panel', (t) => /medusa\(syntax-error\)/.test(t) || /medusa/.test(t) && /route\.ts/.test(t), 20_000, 'Problems lists the medusa syntax error');
    check('Problems lists the error (source medusa)', true, pText.slice(0, 240));
    await page.locator('.squiggly-error').first().waitFor({ timeout: 10_000 }).then(
      () => check('squiggle in the editor', true),
      () => check('squiggle in the editor', false, 'no .squiggly-error'),
    );
    const screenshot = await shot('problems');
    check('screenshot', true, screenshot);

    // Fix: delete the broken line, save.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Control+Shift+K');
    await page.keyboard.press('Control+S');
    const okText = await waitStatus(/Medusa: (reloaded route\.ts in|ready on :)/, T, 'status bar clears');
    check('status bar clears', true, okText);
    const cleared = await waitPanel('.markers-panel', (t) => /No problems have been detected/.test(t), 20_000, 'Problems clears');
    check('Problems clears', true, cleared.slice(0, 120));
    check('no squiggle left', (await page.locator('.squiggly-error').count()) === 0);
    await shot('fixed');

    // The Medusa output channel: server log lines arrive, once each.
    await runCommand('Medusa: Show Output');
    const out = await waitPanel('.panel .monaco-editor .view-lines', (t) => /\[HMR\]|reloaded/.test(t), 15_000, 'Medusa output shows the reload log');
    const dup = (out.match(/\[HMR\] reloaded src\/api\/store\/hello\/route\.ts/g) ?? []).length;
    check('output channel has the server log', true, out.slice(0, 160));
    if (mode === 'fake') check('stderr and logMessage copies are merged', dup === 1, `${dup} copies of the reload line`);
    await shot('output');

    if (mode === 'fake') {
      // Emit Event from the palette: two validated input boxes, then the server command.
      await runCommand('Medusa: Emit Event');
      const box = page.locator('.quick-input-widget input');
      await box.waitFor({ state: 'visible', timeout: 10_000 });
      await box.fill('product created');
      await waitPanel('.quick-input-widget', (t) => /no spaces/.test(t), 5000, 'event name is validated');
      check('Emit Event: invalid name is refused', true);
      await box.fill('product.created');
      await page.keyboard.press('Enter');
      await waitPanel('.quick-input-widget', (t) => /Emit Event \(2\/2\)/.test(t), 5000, 'second input box');
      await box.fill('[1]');
      await waitPanel('.quick-input-widget', (t) => /must be a JSON object/.test(t), 5000, 'event data is validated');
      await box.fill('{"id": "prod_123"}');
      await page.keyboard.press('Enter');
      await waitPanel('.panel .monaco-editor .view-lines', (t) => /emitted product\.created \{"id":"prod_123"\}/.test(t), 10_000, 'server received the event');
      check('Emit Event reaches the server with name and data', true);

      // Status menu: Stop, then Start.
      const pick = async (label) => {
        await page.mouse.move(700, 300);
        await statusItem().click();
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
        await row.waitFor({ timeout: 10_000 });
        await row.click();
      };
      await pick('Stop Dev Server');
      check('menu: Stop Dev Server', true, await waitStatus(/Medusa: stopped/, 15_000, 'stopped'));
      await pick('Start Dev Server');
      check('menu: Start Dev Server', true, await waitStatus(/Medusa: ready on :\d+/, 15_000, 'ready again'));

      // A settings change reaches the server (workspace/didChangeConfiguration).
      // (Written to the workspace's .vscode/settings.json: code-server does not notice an
      // outside edit of the user settings file.)
      mkdirSync(join(env.E2E_PROJECT, '.vscode'), { recursive: true });
      writeFileSync(join(env.E2E_PROJECT, '.vscode', 'settings.json'), JSON.stringify({ 'medusa.devServer.port': Number(env.E2E_DEV_PORT2) }, null, 2));
      const moved = await waitStatus(new RegExp(`Medusa: ready on :${env.E2E_DEV_PORT2}`), 20_000, 'new port from settings');
      check('changing medusa.devServer.port moves the dev server', true, moved);
    }
  }
} catch (e) {
  failed = true;
  if (!results.length || results[results.length - 1].ok) console.log(`FAIL ${e.message.split('\n')[0]}`);
  await shot('failure').catch(() => undefined);
} finally {
  if (consoleErrors.length) console.log(`browser console errors mentioning medusa:\n  ${consoleErrors.slice(0, 5).join('\n  ')}`);
  writeFileSync(join(art, `${mode}-result.json`), JSON.stringify({ mode, failed, ms: Date.now() - t0, results }, null, 2));
  await browser.close();
}
console.log(`e2e ${mode}: ${results.filter((r) => r.ok).length} checks ok${failed ? ', FAILED' : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
