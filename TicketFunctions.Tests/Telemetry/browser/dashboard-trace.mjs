// Opens the Aspire dashboard in Debian's headless Chromium (through playwright-core, which downloads nothing), finds
// a payment's trace in its Traces page and opens it: the trace must show the processing, the gateway's charge and
// the confirmation. Takes a screenshot of the trace. Any request to a host other than this machine fails the run.
// usage: node dashboard-trace.mjs <dashboardUrl like http://127.0.0.1:18888> <traceId> <screenshot.png>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [dashboardUrl, traceId, screenshot] = process.argv.slice(2);
if (!dashboardUrl || !traceId || !screenshot) {
  console.error('usage: node dashboard-trace.mjs <dashboardUrl> <traceId> <screenshot.png>');
  process.exit(2);
}

const local = new Set(['127.0.0.1', 'localhost', '[::1]']);
const outside = [];
const profile = mkdtempSync(path.join(tmpdir(), 'dashboard-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1600, height: 1000 },
});

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

  // The Traces page lists the trace by its short id (the first 7 hex digits), as a user looks for it.
  await page.goto(`${dashboardUrl}/traces`, { waitUntil: 'domcontentloaded' });
  const shortId = traceId.slice(0, 7);
  const row = page.getByText(shortId, { exact: false }).first();
  await row.waitFor({ timeout: 60000 });

  await page.goto(`${dashboardUrl}/traces/detail/${traceId}`, { waitUntil: 'domcontentloaded' });
  for (const name of ['process payment', 'payment gateway charge', 'confirm payment']) {
    await page.getByText(name, { exact: false }).first().waitFor({ timeout: 60000 });
  }

  await page.screenshot({ path: screenshot, fullPage: false });
  if (outside.length > 0) throw new Error(`requests left this machine: ${outside.join(', ')}`);
  console.log(JSON.stringify({ ok: true, traceId, screenshot }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), outside }));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
