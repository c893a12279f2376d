// The README's commands: `npm start` runs the app with Azurite, `npm test` runs every test, `npm run bench` benchmarks.
// Plain Node (no dependencies) so that it works on a fresh clone before `npm ci` has run.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...rest] = process.argv.slice(2);

function log(message) {
  console.log(`[ticketfunctions] ${message}`);
}

function run(file, args, options = {}) {
  log(`${file} ${args.join(' ')}`);
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    if (run(npm, ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
  }
}

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port, seconds) {
  for (let i = 0; i < seconds * 10; i++) {
    if (await portOpen(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// `npm start [-- --port N]`: builds the app (the same build func start and a deployment use) and the local host, then
// runs the app's real worker under the host with Azurite. With AzureWebJobsStorage set in the environment it uses that
// account and starts no Azurite (scripts and second instances rely on that).
// A copy made before the example gained a setting (a timer's schedule, say) would stop the app at start-up, so the
// settings the copy lacks are added from the example; the values already there are kept.
function addNewSettings(settings, example) {
  let mine;
  try {
    mine = JSON.parse(readFileSync(settings, 'utf8'));
  } catch (e) {
    log(`local.settings.json is not plain JSON (${e.message}); compare it with local.settings.json.example yourself`);
    return;
  }
  const values = JSON.parse(readFileSync(example, 'utf8')).Values ?? {};
  const added = Object.keys(values).filter((key) => !(key in (mine.Values ?? {})));
  if (added.length === 0) return;
  mine.Values = { ...mine.Values, ...Object.fromEntries(added.map((key) => [key, values[key]])) };
  writeFileSync(settings, JSON.stringify(mine, null, 2) + '\n');
  log(`added to local.settings.json what local.settings.json.example has and it lacked: ${added.join(', ')}`);
}

// The queues the app triggers on and sends to, as its build declares them (functions.metadata: queue triggers and
// queue outputs, %Setting% names resolved). In Azure infra/resources.bicep creates them; the Functions host creates no
// trigger queue (it polls a missing one as empty), and neither does the local host, so `npm start` creates them in the
// emulator before the host starts. Another account's queues are its deployment's business.
const devStoreKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function emulatorQueueAccount(connectionString) {
  const parts = Object.fromEntries(String(connectionString ?? '').split(';').filter(Boolean).map((part) => {
    const at = part.indexOf('=');
    return [part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim()];
  }));
  if (parts.usedevelopmentstorage === 'true') {
    return { name: 'devstoreaccount1', key: devStoreKey, endpoint: 'http://127.0.0.1:10001/devstoreaccount1' };
  }
  if (parts.accountname !== 'devstoreaccount1' || !parts.accountkey) return null;
  const endpoint = parts.queueendpoint ?? `${parts.defaultendpointsprotocol ?? 'http'}://127.0.0.1:10001/devstoreaccount1`;
  return { name: parts.accountname, key: parts.accountkey, endpoint: endpoint.replace(/\/+$/, '') };
}

async function createQueue(account, queue) {
  const url = new URL(`${account.endpoint}/${queue}`);
  const headers = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': '2021-12-02' };
  // Shared Key: verb, eleven empty standard headers (no body), the x-ms- headers in order, then /account/path.
  const canonical = Object.keys(headers).sort().map((name) => `${name}:${headers[name]}\n`).join('');
  const toSign = `PUT\n${'\n'.repeat(11)}${canonical}/${account.name}${url.pathname}`;
  const signature = createHmac('sha256', Buffer.from(account.key, 'base64')).update(toSign, 'utf8').digest('base64');
  const response = await fetch(url, { method: 'PUT', headers: { ...headers, Authorization: `SharedKey ${account.name}:${signature}` } });
  if (response.status !== 201 && response.status !== 204) {
    throw new Error(`creating queue '${queue}' answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
  return response.status === 201;
}

async function createAppQueues(appDirectory, values) {
  const setting = (name) => process.env[name] ?? values[name];
  const metadata = JSON.parse(readFileSync(path.join(appDirectory, 'functions.metadata'), 'utf8'));
  const byConnection = new Map();
  for (const binding of metadata.flatMap((f) => f.bindings ?? [])) {
    const type = String(binding.type ?? '').toLowerCase();
    if ((type !== 'queuetrigger' && type !== 'queue') || !binding.queueName) continue;
    const connection = binding.connection || 'AzureWebJobsStorage';
    const queue = binding.queueName.replace(/%([^%]+)%/g, (_, name) => setting(name) ?? `%${name}%`).toLowerCase();
    byConnection.set(connection, new Set([...(byConnection.get(connection) ?? []), queue]));
  }
  for (const [connection, queues] of byConnection) {
    const account = emulatorQueueAccount(setting(connection) ?? setting(`AzureWebJobs${connection}`));
    if (!account) {
      log(`${connection} is not the Storage emulator: the queues ${[...queues].join(', ')} must exist there already (infra/ creates them in Azure)`);
      continue;
    }
    const created = [];
    for (const queue of queues) {
      if (await createQueue(account, queue)) created.push(queue);
    }
    log(`the app's queues in the emulator: ${[...queues].join(', ')}${created.length ? ` (created ${created.join(', ')})` : ' (all there already)'}`);
  }
}

async function start() {
  ensureNodeModules();
  const settings = path.join(root, 'local.settings.json');
  const example = path.join(root, 'local.settings.json.example');
  if (!existsSync(settings)) {
    copyFileSync(example, settings);
    log('created local.settings.json from local.settings.json.example (development values; edit it to taste)');
  } else {
    addNewSettings(settings, example);
  }

  for (const project of ['TicketFunctions/TicketFunctions.csproj', 'FunctionsLocalHost/FunctionsLocalHost.csproj']) {
    if (run('dotnet', ['build', project, '-nologo', '-v', 'q', '-clp:ErrorsOnly']) !== 0) process.exit(1);
  }

  let azurite;
  if (process.env.AzureWebJobsStorage) {
    log('AzureWebJobsStorage is set in the environment; using that account (no Azurite started)');
  } else if (await portOpen(10001)) {
    log('a Storage emulator is already listening on 127.0.0.1:10001; using it');
    // The timers' leases and schedule status live in blobs, as in Azure: a queue-only emulator stops the host at start.
    if (!(await portOpen(10000))) log('it has no blob service on 127.0.0.1:10000, which the timer functions need: run the whole azurite (npm run azurite), not azurite-queue');
  } else {
    const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'azurite.cmd' : 'azurite');
    azurite = spawn(bin, ['--silent', '--location', path.join(root, '.azurite'), '--skipApiVersionCheck', '--loose', '--disableTelemetry'], { cwd: root, stdio: 'inherit' });
    if (!(await waitForPort(10001, 30))) {
      log('Azurite did not start listening on 127.0.0.1:10001 within 30 s');
      azurite.kill();
      process.exit(1);
    }
    log('Azurite is running (blob 10000, queue 10001, table 10002; data in .azurite/)');
  }

  const app = path.join(root, 'TicketFunctions', 'bin', 'Debug', 'net10.0');
  try {
    await createAppQueues(app, JSON.parse(readFileSync(settings, 'utf8')).Values ?? {});
  } catch (e) {
    log(`could not create the app's queues: ${e.message}`);
    azurite?.kill();
    process.exit(1);
  }

  const telemetry = rest.includes('--telemetry');
  const hostArgs = rest.filter((a) => a !== '--telemetry');
  const dashboard = telemetry ? await startDashboard() : null;
  const env = dashboard
    ? { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: dashboard.otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }
    : process.env;

  const host = path.join(root, 'FunctionsLocalHost', 'bin', 'Debug', 'net10.0', 'FunctionsLocalHost.dll');
  const child = spawn('dotnet', [host, '--script-root', app, ...hostArgs], { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches the whole process group; the host stops its worker itself. A plain SIGTERM is passed on.
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  child.on('exit', (code, signal) => {
    dashboard?.process.kill('SIGTERM');
    const done = () => process.exit(code ?? (signal ? 1 : 0));
    if (!azurite || azurite.exitCode !== null || azurite.signalCode !== null) {
      done();
      return;
    }

    // Azurite may already be closing (a Ctrl+C reaches the whole process group); a second signal can leave it stuck
    // half-closed, so it gets five seconds and then a SIGKILL.
    azurite.once('exit', done);
    if (!stopping) azurite.kill('SIGTERM');
    setTimeout(() => azurite.kill('SIGKILL'), 5000).unref();
  });
}

// `npm start -- --telemetry`: the Aspire dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, which the test project
// downloads at restore, at the version its csproj names) as a plain executable with an anonymous UI and an OTLP/HTTP
// endpoint on loopback, and the app's worker exporting to it. Ports: DASHBOARD_PORT (default 18888) for the UI and
// DASHBOARD_OTLP_PORT (default 18889), each replaced by a free one when taken.
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function pickPort(wanted) {
  return (await portOpen(wanted)) ? freePort() : wanted;
}

async function startDashboard() {
  const csproj = readFileSync(path.join(root, 'TicketFunctions.Tests', 'TicketFunctions.Tests.csproj'), 'utf8');
  const version = /<AspireDashboardVersion>([^<]+)<\/AspireDashboardVersion>/.exec(csproj)?.[1];
  const packages = spawnSync('dotnet', ['nuget', 'locals', 'global-packages', '--list'], { cwd: root, encoding: 'utf8' })
    .stdout.replace(/^.*?global-packages:\s*/s, '').trim();
  const exe = path.join(packages, 'aspire.dashboard.sdk.linux-x64', version ?? '', 'tools', 'Aspire.Dashboard');
  if (!existsSync(exe)) {
    if (run('dotnet', ['restore', 'TicketFunctions.Tests/TicketFunctions.Tests.csproj', '-v', 'q']) !== 0) process.exit(1);
  }
  if (!existsSync(exe)) {
    log(`the Aspire dashboard is not at ${exe} after the restore (it is packaged for linux-x64 only)`);
    process.exit(1);
  }

  const ui = await pickPort(Number(process.env.DASHBOARD_PORT ?? 18888));
  const otlp = await pickPort(Number(process.env.DASHBOARD_OTLP_PORT ?? 18889));
  const child = spawn(exe, [], {
    cwd: path.dirname(exe),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ASPNETCORE_URLS: `http://127.0.0.1:${ui}`,
      ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL: `http://127.0.0.1:${otlp}`,
      ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`,
      ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS: 'true',
      ASPIRE_ALLOW_UNSECURED_TRANSPORT: 'true',
      DOTNET_DASHBOARD_TELEMETRY_OPTOUT: 'true',
    },
  });
  if (!(await waitForPort(otlp, 60))) {
    log('the Aspire dashboard did not start listening within 60 s');
    child.kill();
    process.exit(1);
  }
  log(`Aspire dashboard: http://127.0.0.1:${ui} (traces, metrics, structured logs; OTLP/HTTP on ${otlp}, data in memory)`);
  return { process: child, otlp: `http://127.0.0.1:${otlp}` };
}

// The Swagger UI browser test drives Debian's Chromium through playwright-core (npm cannot download browsers here).
function ensureChromium() {
  if (process.platform !== 'linux' || existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    log('Chromium is missing: install it with `sudo apt-get install chromium` (the browser test needs it)');
    return;
  }
  run('apt-get', ['update', '-qq']);
  if (run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) !== 0) process.exit(1);
}

// The PostgreSQL tests start a server of their own from Debian's postgresql package (initdb and pg_ctl as the
// package's postgres user); installed here when missing, as chromium is.
function ensurePostgres() {
  if (process.platform !== 'linux') return;
  const root = '/usr/lib/postgresql';
  if (existsSync(root) && readdirSync(root).some((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))) return;
  if (process.getuid?.() !== 0) {
    log('PostgreSQL is missing: install it with `sudo apt-get install postgresql` (the PostgreSQL test run needs it)');
    return;
  }
  run('apt-get', ['update', '-qq']);
  if (run('apt-get', ['install', '-y', '-qq', 'postgresql'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) !== 0) process.exit(1);
}

// Runs `dotnet test` and reads its per-assembly summaries ("Failed: 0, Passed: 75, Skipped: 0").
function dotnetTest(label, args, env = process.env) {
  log(`${label}: dotnet test ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync('dotnet', ['test', ...args], { cwd: root, env, encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const match of (result.stdout ?? '').matchAll(/Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)/g)) {
    counts.failed += Number(match[1]); counts.passed += Number(match[2]); counts.skipped += Number(match[3]);
  }
  const code = result.status ?? 1;
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(`tests (${label}): ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${minutes} min`);
  return { ...counts, code };
}

function test() {
  ensureNodeModules();
  ensureChromium();
  ensurePostgres();
  if (run('dotnet', ['format', 'TicketFunctions.sln', '--verify-no-changes']) !== 0) process.exit(1);

  // Every test on SQLite (the default store), then every database-touching test of the app again on PostgreSQL:
  // the same tests, with TestApp.DefaultSettings giving each its own PostgreSQL database. The OpenAPI tests read the
  // functions' metadata, not the database, and the local host's own tests use a sample app, so they run once.
  const filterAt = rest.indexOf('--filter');
  const userFilter = filterAt >= 0 ? rest[filterAt + 1] : null;
  const others = filterAt >= 0 ? rest.filter((_, i) => i !== filterAt && i !== filterAt + 1) : rest;
  const sqlite = dotnetTest('sqlite', ['TicketFunctions.sln', ...rest]);
  // ClockAfterLockTests hold SQLite's database-wide write lock, which PostgreSQL does not have (its row locks are
  // taken by the conditional updates themselves); CrashTests configure their app process themselves, with a SQLite
  // file they read directly, so a second run would only repeat the first. TwoInstanceTests always run on a PostgreSQL
  // database of their own (two instances need a shared store), whatever TEST_DATABASE_PROVIDER says, and so do
  // PostgresHoldContentionTests (hold_seats()'s row locks): they run once, in the first pass.
  const pgOnly = 'FullyQualifiedName!~.OpenApi.&FullyQualifiedName!~.ClockAfterLockTests.&FullyQualifiedName!~.CrashTests.&FullyQualifiedName!~.TwoInstanceTests.&FullyQualifiedName!~.PostgresHoldContentionTests.';
  const pgFilter = userFilter ? `(${userFilter})&${pgOnly}` : pgOnly;
  const postgres = dotnetTest('postgres', ['TicketFunctions.Tests', '--no-build', '--filter', pgFilter, ...others],
    { ...process.env, TEST_DATABASE_PROVIDER: 'postgres' });

  const passed = sqlite.passed + postgres.passed, failed = sqlite.failed + postgres.failed, skipped = sqlite.skipped + postgres.skipped;
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(sqlite.code !== 0 ? sqlite.code : postgres.code);
}

// The benchmark harness (TicketFunctions.Benchmarks): Release build of the app, the local host and the reference app;
// each server under test runs as processes of its own (the host's executable with its worker, or bare Kestrel), with
// Azurite and a PostgreSQL server the bench starts; rewrites BENCHMARKS.md. `npm run bench -- --quick` runs small
// sizes, `-- --only writes,seatmap` some figures, `-- --provider sqlite` one store.
function bench() {
  ensureNodeModules();
  ensurePostgres();
  process.exit(run('dotnet', ['run', '-c', 'Release', '--project', 'TicketFunctions.Benchmarks', '--', ...rest]));
}

if (command === 'start') await start();
else if (command === 'test') test();
else if (command === 'bench') bench();
else { console.error(`usage: node scripts/dev.mjs start|test|bench [args]`); process.exit(2); }
