// The README's commands: `npm start` runs the app with Azurite, `npm test` runs every test, `npm run bench` benchmarks.
// Plain Node (no dependencies) so that it works on a fresh clone before `npm ci` has run.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
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
async function start() {
  ensureNodeModules();
  const settings = path.join(root, 'local.settings.json');
  if (!existsSync(settings)) {
    copyFileSync(path.join(root, 'local.settings.json.example'), settings);
    log('created local.settings.json from local.settings.json.example (development values; edit it to taste)');
  }

  for (const project of ['TicketFunctions/TicketFunctions.csproj', 'FunctionsLocalHost/FunctionsLocalHost.csproj']) {
    if (run('dotnet', ['build', project, '-nologo', '-v', 'q', '-clp:ErrorsOnly']) !== 0) process.exit(1);
  }

  let azurite;
  if (process.env.AzureWebJobsStorage) {
    log('AzureWebJobsStorage is set in the environment; using that account (no Azurite started)');
  } else if (await portOpen(10001)) {
    log('a Storage emulator is already listening on 127.0.0.1:10001; using it');
  } else {
    const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'azurite.cmd' : 'azurite');
    azurite = spawn(bin, ['--silent', '--location', path.join(root, '.azurite'), '--skipApiVersionCheck', '--loose'], { cwd: root, stdio: 'inherit' });
    if (!(await waitForPort(10001, 30))) {
      log('Azurite did not start listening on 127.0.0.1:10001 within 30 s');
      azurite.kill();
      process.exit(1);
    }
    log('Azurite is running (blob 10000, queue 10001, table 10002; data in .azurite/)');
  }

  const host = path.join(root, 'FunctionsLocalHost', 'bin', 'Debug', 'net10.0', 'FunctionsLocalHost.dll');
  const app = path.join(root, 'TicketFunctions', 'bin', 'Debug', 'net10.0');
  const child = spawn('dotnet', [host, '--script-root', app, ...rest], { cwd: root, stdio: 'inherit' });
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
    if (azurite) {
      azurite.once('exit', () => process.exit(code ?? (signal ? 1 : 0)));
      azurite.kill('SIGTERM');
    } else {
      process.exit(code ?? (signal ? 1 : 0));
    }
  });
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

function test() {
  ensureNodeModules();
  ensureChromium();
  if (run('dotnet', ['format', 'TicketFunctions.sln', '--verify-no-changes']) !== 0) process.exit(1);

  log(`dotnet test TicketFunctions.sln ${rest.join(' ')}`);
  const result = spawnSync('dotnet', ['test', 'TicketFunctions.sln', ...rest], { cwd: root, encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  let passed = 0, failed = 0, skipped = 0;
  for (const match of (result.stdout ?? '').matchAll(/Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)/g)) {
    failed += Number(match[1]); passed += Number(match[2]); skipped += Number(match[3]);
  }
  const code = result.status ?? 1;
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code);
}

// The benchmark harness (TicketFunctions.Benchmarks): Release build, the app's worker under the local host with Azurite;
// rewrites BENCHMARKS.md. `npm run bench -- --quick` runs small sizes.
function bench() {
  ensureNodeModules();
  process.exit(run('dotnet', ['run', '-c', 'Release', '--project', 'TicketFunctions.Benchmarks', '--', ...rest]));
}

if (command === 'start') await start();
else if (command === 'test') test();
else if (command === 'bench') bench();
else { console.error(`usage: node scripts/dev.mjs start|test|bench [args]`); process.exit(2); }
