import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(__dirname, '../../../..');
const CONSOLE_SRC = [join(ROOT, 'apps/console'), join(ROOT, 'libs/sdk/src')];
/**
 * The tests' own build, outside dist/ (which `npm start`, and so start.e2e-spec.ts, deletes and rebuilds):
 * the gateway under test is pointed at it with CONSOLE_DIR.
 */
export const CONSOLE_TEST_DIR = join(ROOT, 'artifacts/console-build');
const BUILT = join(CONSOLE_TEST_DIR, 'index.html');
const LOCK = join(ROOT, 'artifacts/.console-build.lock');
const ARTIFACTS = join(ROOT, 'artifacts/console');

/** Debian's Chromium (`.ci/run` installs it): never a downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
  ensureConsoleBuilt();
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function builtMtime(): number {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds the console into CONSOLE_TEST_DIR (as `npm run build` does into dist/console) when it is
 * missing or older than its sources. A lock directory keeps parallel Jest workers from building at once;
 * a lock older than two minutes is taken to be left by a killed run.
 */
export function ensureConsoleBuilt(): void {
  const fresh = () => builtMtime() >= Math.max(...CONSOLE_SRC.map(newestMtime));
  if (fresh()) return;
  mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmdirSync(LOCK);
      else sleep(200);
    }
  }
  try {
    if (!fresh())
      execFileSync(
        process.execPath,
        [
          join(ROOT, 'node_modules/vite/bin/vite.js'),
          'build',
          '--config',
          join(ROOT, 'apps/console/vite.config.ts'),
          '--outDir',
          CONSOLE_TEST_DIR,
        ],
        {
          cwd: ROOT,
          stdio: 'pipe',
          env: { ...process.env, NODE_ENV: 'production', CONSOLE_VITE_CACHE_DIR: `${CONSOLE_TEST_DIR}-cache` },
        },
      );
  } finally {
    rmdirSync(LOCK);
  }
}

/** Opens the console and signs in with the key through its form; resolves once the navigation shows. */
export async function signIn(page: Page, baseUrl: string, apiKey: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console pages' }).waitFor();
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not
 * govern) and fails on any serious or critical violation, listing each with the elements it found.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  // a string, run in the page: this file is compiled without the DOM's types
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run(document).then((r) => r.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target }) => ({ target })) })))',
  );
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${label}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
  expect(bad).toEqual([]);
}

/** What overflows at the current size: the page sideways, a drawing beyond its box, a table beyond its wrapper. */
interface Overflow {
  page: { scrollWidth: number; clientWidth: number };
  /** SVG drawings (charts) outside the window, or with a shape cut off by their own box. */
  clipped: string[];
  /** Tables wider than their scroll wrapper, by caption. */
  scrolled: string[];
}

// a string, run in the page: this file is compiled without the DOM's types
const MEASURE_OVERFLOW = `(() => {
  const d = document.documentElement;
  const clipped = [];
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = svg.closest('[aria-label]')?.getAttribute('aria-label') ?? 'an svg';
    if (box.left < -0.5 || box.right > d.clientWidth + 0.5) clipped.push(name + ': outside the window');
    for (const el of svg.querySelectorAll('rect, text, line, path')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5)
        clipped.push(name + ': a ' + el.tagName + ' (' + (el.textContent || '') + ') cut off');
    }
  }
  const scrolled = [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.clientWidth > 0 && w.scrollWidth > w.clientWidth + 1)
    .map((w) => w.querySelector('caption')?.textContent ?? w.getAttribute('aria-label'));
  return { page: { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth }, clipped, scrolled };
})()`;

/**
 * Full-page screenshots at desktop and phone size (artifacts/console/<name>-1280x800.png and -390x844.png),
 * failing when, at either size, the page scrolls sideways or a chart is cut off, and when at desktop size a
 * table needs its sideways scroll (on a phone, wide tables scroll inside their wrapper: that is allowed).
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize();
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    await page.setViewportSize({ width, height });
    const size = `${name} at ${width}x${height}`;
    // measured at once after the resize: the layout must fit by CSS alone, not after a script redraws
    const o = await page.evaluate<Overflow>(MEASURE_OVERFLOW);
    // document.documentElement.scrollWidth <= clientWidth: the page never scrolls sideways
    expect({ size, sideways: Math.max(0, o.page.scrollWidth - o.page.clientWidth) }).toEqual({ size, sideways: 0 });
    expect([size, o.clipped]).toEqual([size, []]);
    if (width >= 1280) expect([size, o.scrolled]).toEqual([size, []]);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}x${height}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}
