// Drives Swagger UI in Debian's headless Chromium (through playwright-core, which downloads nothing):
// opens the page (at its address with the trailing slash), checks every tag, logs in through the API, authorizes,
// runs GET /auth/me and expects 200, then runs POST /movies from its example (Try it out as a new user would) and expects 201.
// Any request to a host other than this machine fails the run.
// usage: node swagger-ui.mjs <baseUrl like http://127.0.0.1:7071> <screenshot.png> <email> <password>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [baseUrl, screenshot, email, password] = process.argv.slice(2);
if (!baseUrl || !screenshot || !email || !password) {
  console.error('usage: node swagger-ui.mjs <baseUrl> <screenshot.png> <email> <password>');
  process.exit(2);
}

const local = new Set(['127.0.0.1', 'localhost', '[::1]']);
const outside = [];
const profile = mkdtempSync(path.join(tmpdir(), 'swagger-ui-chromium-'));
// A fresh profile (--user-data-dir) per run: Playwright takes it as the persistent context's directory.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 1600 },
});

function fail(message) {
  throw new Error(message);
}

try {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !local.has(url.hostname)) {
      outside.push(url.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const document = await (await page.request.get(`${baseUrl}/api/openapi/v3.json`)).json();
  const tags = document.tags.map((t) => t.name);

  await page.goto(`${baseUrl}/api/swagger/ui/`, { waitUntil: 'networkidle' });
  await page.locator('.information-container .title').waitFor({ timeout: 30000 });
  for (const tag of tags) {
    await page.locator(`h3.opblock-tag[data-tag="${tag}"]`).waitFor({ timeout: 10000 });
  }

  const login = await page.request.post(`${baseUrl}/api/auth/login`, { data: { email, password } });
  if (login.status() !== 200) fail(`login answered ${login.status()}: ${await login.text()}`);
  const { accessToken } = await login.json();

  await page.locator('.auth-wrapper button.authorize').click();
  const modal = page.locator('.modal-ux');
  await modal.locator('input').first().fill(accessToken);
  await modal.locator('button.modal-btn.auth.authorize').click();
  await modal.locator('button.modal-btn.auth.btn-done').click();

  // Opens an operation, clicks Try it out if needed, executes it as filled in from the document, and answers the status.
  async function tryItOut(id) {
    const operation = page.locator(`#operations-${id}`);
    await operation.locator('.opblock-summary').first().click();
    const tryOut = operation.locator('button.try-out__btn');
    if (await tryOut.isVisible() && (await tryOut.innerText()).trim() === 'Try it out') await tryOut.click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15000 });
    return (await status.innerText()).trim();
  }

  const meStatus = await tryItOut('Auth-Me');
  if (meStatus !== '200') fail(`GET /auth/me in Swagger UI answered ${meStatus}`);
  const createMovieStatus = await tryItOut('Movies-CreateMovie');
  await page.screenshot({ path: screenshot, fullPage: true });
  if (createMovieStatus !== '201') fail(`POST /movies from its example in Swagger UI answered ${createMovieStatus}`);
  if (outside.length > 0) fail(`requests left this machine: ${outside.join(', ')}`);

  console.log(JSON.stringify({ ok: true, tags, meStatus, createMovieStatus, screenshot, consoleErrors }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error?.stack ?? error), outside }));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
