// The dashboard walked in a real browser (Debian's chromium, driven by playwright-core) against
// a real windash-server on a fresh SQLite file and a real windash-agent streaming this machine:
// sign up, pair the agent through its pairing URL, watch its card go online and its CPU move,
// open its history, switch ranges, zoom by dragging, rename it, see that another user cannot
// see it, rotate its token and delete it. No console error and no request to another host is
// allowed on the way. Screenshots (desktop and phone) go to --artifacts.
//
// Then a device with a year of history (the store benchmark's year-shaped data, written by
// windash-year-history before the server starts) is opened on its 1-year range, alternating
// with its 1-hour range, and the times from click to drawn chart are printed as medians.
//
// node walk.mjs --server BIN --agent BIN --year-tool BIN --modules DIR --artifacts DIR
// (--modules: where `npm ci` put playwright-core). Every child process is ended by its pid
// when the walk ends, passed or failed; every wait is bounded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string' }, agent: { type: 'string' }, 'year-tool': { type: 'string' },
    modules: { type: 'string' }, artifacts: { type: 'string' },
    'skip-year': { type: 'boolean' },  // while working on the rest of the walk: 30 s less
  },
});
for (const k of ['server', 'agent', 'year-tool', 'modules', 'artifacts']) {
  if (!args[k]) throw new Error(`--${k} is required`);
}
const chromiumPath = '/usr/bin/chromium';
if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run scripts/setup.sh`);
const { chromium } = createRequire(path.resolve(args.modules, 'package.json'))('playwright-core');

const scratch = mkdtempSync(path.join(os.tmpdir(), 'windash-walk-'));
mkdirSync(args.artifacts, { recursive: true });
const started = Date.now();
const log = (...m) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`, ...m);

// --- child processes -------------------------------------------------------------------------

const children = new Set();
function start(name, bin, argv) {
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.waiters = [];
  const take = (chunk) => {
    child.output += chunk;
    for (const w of [...child.waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', take);
  child.stderr.setEncoding('utf8').on('data', take);
  // 'close', not 'exit': all of its output has been read by then.
  child.on('close', (code, signal) => {
    children.delete(child);
    child.exited = { code, signal };
    for (const w of [...child.waiters]) w();
  });
  children.add(child);
  child.label = name;
  return child;
}
/** The first match of `re` in the child's output, waiting at most `ms`. */
function waitForOutput(child, re, ms) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.output.match(re);
      if (m) return done(() => resolve(m));
      if (child.exited) return done(() => reject(new Error(`${child.label} exited (${JSON.stringify(child.exited)}) before ${re}:\n${child.output}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`${child.label}: no ${re} within ${ms} ms:\n${child.output}`))), ms);
    const done = (f) => { clearTimeout(timer); child.waiters = child.waiters.filter((w) => w !== check); f(); };
    child.waiters.push(check);
    check();
  });
}
/** Runs a command to its end (at most `ms`) with `input` on stdin; its output, or throws. */
async function run(name, bin, argv, { input = '', ms = 180000 } = {}) {
  const child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c) => { output += c; });
  child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
  child.stdin.end(input);
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('timeout'); }, ms);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  children.delete(child);
  if (code !== 0) throw new Error(`${name} ${argv.join(' ')}: exit ${code}\n${output}`);
  return output;
}

function stopAll(signal) {
  for (const c of children) {
    try { process.kill(c.pid, signal); } catch { /* gone already */ }
  }
}
process.on('exit', () => stopAll('SIGKILL'));

// --- the walk --------------------------------------------------------------------------------

const browserArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const hostId = 'browser-walk';
const password = 'correct horse battery';
let browser;

/** Every page opened, and what went wrong on them, for the failure report. */
const pages = [];
const problems = [];

/** Console errors, page errors and requests to another origin seen on `page`. */
function watch(page, origin, problems) {
  pages.push(page);
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.host !== new URL(origin).host) {
      problems.push(`request to another host: ${r.url()}`);
    }
  });
}

async function signUp(page, base, name, email) {
  await page.goto(`${base}/signup`);
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
}

async function shot(page, name) {
  const file = path.join(args.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function walk() {
  // Yara's machine has a year of history, written before the server starts.
  const db = path.join(scratch, 'windash.db');
  await run('user add', args.server, ['--database-url', db, 'user', 'add', '--email', 'yara@example.com', '--name', 'Yara'],
    { input: `${password}\n` });
  await run('device add', args.server, ['--database-url', db, 'device', 'add', '--email', 'yara@example.com', '--host-id', 'year-host']);
  if (!args['skip-year']) log((await run('windash-year-history', args['year-tool'], ['--database-url', db, '--email', 'yara@example.com', '--host-id', 'year-host'])).trim());

  const server = start('windash-server', args.server, [
    '--database-url', db, '--address', '127.0.0.1',
    '--port', '0', '--ws-port', '0', '--signup', 'open']);
  const [, port] = await waitForOutput(server, /listening: http:\/\/127\.0\.0\.1:(\d+)/, 30000);
  const base = `http://127.0.0.1:${port}`;
  log(`server on ${base}`);

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: browserArgs });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  watch(page, base, problems);

  // Sign up: the overview explains how to add the first machine.
  await signUp(page, base, 'Ada', 'ada@example.com');
  await page.getByRole('heading', { name: 'No machines yet' }).waitFor();
  await page.getByRole('link', { name: 'Add a machine' }).first().click();
  await page.waitForURL(`${base}/add`);
  assert.equal(await page.textContent('#cmd-linux'), `windash-agent run --server ${base}`);
  log('signed up; empty state and add-a-machine page shown');

  // The agent asks to pair and prints its URL; the person opens it and approves.
  const agent = start('windash-agent', args.agent, [
    'run', '--server', base, '--config', path.join(scratch, 'agent', 'agent.json'),
    '--spool-dir', path.join(scratch, 'agent', 'spool'), '--no-browser', '--interval', '1',
    '--host-id', hostId]);
  const [, pairUrl] = await waitForOutput(agent, /Open (\S+) and approve/, 15000);
  await page.goto(pairUrl);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('heading', { name: 'Approved' }).waitFor();
  const approvedAt = Date.now();
  log(`approved ${pairUrl}`);

  // Its card goes online and its CPU figure moves, pushed live, within 5 s of the approval.
  await page.goto(`${base}/`);
  const card = page.locator(`.card[data-host-id="${hostId}"]`);
  await card.and(page.locator('[data-online="true"]')).waitFor({ timeout: Math.max(1, approvedAt + 5000 - Date.now()) });
  const onlineMs = Date.now() - approvedAt;
  const cpu = card.locator('[data-stat="cpu"]');
  await page.waitForFunction((el) => el.dataset.value !== '', await cpu.elementHandle(), { timeout: 5000 });
  const first = await cpu.getAttribute('data-value');
  const firstTs = await cpu.getAttribute('data-ts');
  await page.waitForFunction(([el, v]) => el.dataset.value !== v, [await cpu.elementHandle(), first], { timeout: 5000 });
  const second = await cpu.getAttribute('data-value');
  log(`card online ${onlineMs} ms after approval; CPU ${Number(first).toFixed(2)} % (${firstTs}) then ${Number(second).toFixed(2)} %, live`);
  await page.waitForFunction(() => Number(document.querySelector('.spark.cpu')?.dataset.points) >= 2, null, { timeout: 10000 });
  await shot(page, 'overview-desktop');

  // The device page: history chart with points, every range, live appends, drag to zoom.
  const deviceId = Number(await card.getAttribute('data-device-id'));
  await card.click();
  await page.waitForURL(`${base}/devices/${deviceId}`);
  const cpuChart = page.locator('section.chart[aria-label="CPU"]');
  for (const range of ['5m', '1h', '24h', '7d', '30d', '1y']) {
    await page.click(`button[data-range="${range}"]`);
    await page.locator(`#view[data-range="${range}"][data-state="ready"]`).waitFor();
    const points = Number(await cpuChart.getAttribute('data-points'));
    assert.ok(points >= 1, `range ${range}: the CPU chart has no point`);
    log(`range ${range}: ${points} points, tier ${await page.getAttribute('#view', 'data-tier')}, ` +
      `history read and drawn in ${await page.getAttribute('#view', 'data-load-ms')} ms`);
  }
  await page.click('button[data-range="5m"]');
  await page.locator('#view[data-range="5m"][data-state="ready"]').waitFor();
  await page.locator('section.chart[aria-label="Load"]').waitFor();  // Linux reports load
  const before = Number(await cpuChart.getAttribute('data-points'));
  await page.waitForFunction((n) => Number(document.querySelector('section.chart[aria-label="CPU"]').dataset.points) > n, before, { timeout: 5000 });
  log(`live samples appended to the open chart: ${before} -> ${await cpuChart.getAttribute('data-points')} points`);
  await page.waitForTimeout(3000);  // a few more live points for the screenshots
  await shot(page, 'device-desktop');

  const over = cpuChart.locator('.u-over');
  const box = await over.boundingBox();
  // The last fifth of the 5-minute axis: the agent's samples so far.
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.locator('#view[data-range="custom"][data-state="ready"]').waitFor();
  assert.ok(Number(await cpuChart.getAttribute('data-points')) >= 1, 'the dragged range has no point');
  log(`dragged: custom range ${await page.textContent('#custom-range')}, ${await cpuChart.getAttribute('data-points')} points`);

  // Rename, read back through the API.
  await page.click('#rename');
  await page.fill('#rename-input', 'Walk machine');
  await page.click('form.panel button[type=submit]');
  await page.getByRole('heading', { name: 'Walk machine' }).waitFor();
  const renamed = await (await context.request.get(`${base}/api/devices/${deviceId}`)).json();
  assert.equal(renamed.name, 'Walk machine');
  log('renamed to "Walk machine"');

  // Phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  await shot(page, 'device-phone');
  await page.click('header nav a[href="/"]');
  await page.locator('.card[data-online="true"]').waitFor();
  await shot(page, 'overview-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Another user sees nothing of it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  pages.push(otherPage);
  await signUp(otherPage, base, 'Bob', 'bob@example.com');
  await otherPage.getByRole('heading', { name: 'No machines yet' }).waitFor();
  assert.equal((await other.request.get(`${base}/api/devices/${deviceId}`)).status(), 404);
  await otherPage.goto(`${base}/devices/${deviceId}`);
  await otherPage.getByRole('heading', { name: 'No such machine' }).waitFor();
  await other.close();
  log('another user: no card, 404 for the device, "No such machine" on its page');

  // Rotate the token: the agent is cut off and told to pair again (exit code 3).
  await page.goto(`${base}/devices/${deviceId}`);
  await page.click('#rotate');
  await page.click('#confirm-ok');
  await page.locator('#new-token').waitFor();
  assert.match(await page.textContent('#new-token'), /^\S{20,}$/);
  await waitForOutput(agent, /refused this device's token \(401\).*Pair this machine again/, 15000);
  const exited = await new Promise((resolve) => {
    if (agent.exited) return resolve(agent.exited);
    const timer = setTimeout(() => resolve({ code: 'still running' }), 10000);
    agent.on('close', (code) => { clearTimeout(timer); resolve({ code }); });
  });
  assert.equal(exited.code, 3, 'the agent ends with exit code 3 (pair again)');
  log('token rotated: the agent was refused, asks to be paired again and ended with exit code 3');

  // Delete: back to the empty overview.
  await page.click('#delete');
  await page.click('#confirm-ok');
  await page.waitForURL(`${base}/`);
  await page.getByRole('heading', { name: 'No machines yet' }).waitFor();
  log('deleted');

  // A year of history: the 1-year range against the 1-hour range, click to drawn chart.
  if (args['skip-year']) return;
  const yara = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const yaraPage = await yara.newPage();
  watch(yaraPage, base, problems);
  await yaraPage.goto(`${base}/login`);
  await yaraPage.fill('#email', 'yara@example.com');
  await yaraPage.fill('#password', password);
  await Promise.all([yaraPage.waitForURL(`${base}/`), yaraPage.click('button[type=submit]')]);
  const yearCard = yaraPage.locator('.card[data-host-id="year-host"]');
  await yearCard.click();
  await yaraPage.locator('#view[data-state="ready"]').waitFor();
  const times = { '1y': [], '1h': [] };
  for (let i = 0; i < 7; ++i) {
    for (const range of ['1h', '1y']) {
      const clicked = Date.now();
      await yaraPage.click(`button[data-range="${range}"]`);
      await yaraPage.locator(`#view[data-range="${range}"][data-state="ready"]`).waitFor();
      times[range].push(Date.now() - clicked);
    }
  }
  for (const title of ['Swap', 'Load', 'Temperatures', 'Disk /home']) {
    await yaraPage.locator(`section.chart[aria-label="${title}"]`).waitFor();
  }
  const yearPoints = Number(await yaraPage.getAttribute('section.chart[aria-label="CPU"]', 'data-points'));
  assert.ok(yearPoints >= 300, `1y range: only ${yearPoints} points`);
  const m1y = median(times['1y']), m1h = median(times['1h']);
  log(`year of history, click to drawn chart over 7 runs: 1y median ${m1y} ms (${times['1y'].join(', ')}), ` +
    `1h median ${m1h} ms (${times['1h'].join(', ')}); ratio ${(m1y / m1h).toFixed(2)}; ` +
    `1y: ${yearPoints} points from the ${await yaraPage.getAttribute('#view', 'data-tier')} tier`);
  // Measured, not asserted (a timing threshold would make the suite flaky): the figure is in
  // bench/README.md.
  await shot(yaraPage, 'device-year');
  await yara.close();

  assert.deepEqual(problems, [], 'console errors or requests to other hosts during the walk');
  log('no console error, no request to another host');
}

let failed = false;
try {
  await walk();
  log('PASS');
} catch (e) {
  failed = true;
  console.error(e);
  if (problems.length) console.error(`problems seen on the way:\n${problems.join('\n')}`);
  // What each page showed when it failed: a screenshot and its text.
  for (const [i, page] of pages.entries()) {
    try {
      if (page.isClosed()) continue;
      await page.screenshot({ path: path.join(args.artifacts, `failure-${i}.png`), fullPage: true });
      const text = (await page.innerText('body', { timeout: 2000 })).slice(0, 1500);
      console.error(`--- page ${i}: ${page.url()} (failure-${i}.png)\n${text}`);
    } catch (err) {
      console.error(`--- page ${i}: no report (${err.message})`);
    }
  }
} finally {
  await browser?.close().catch(() => {});
  stopAll('SIGTERM');
  const deadline = Date.now() + 10000;
  while (children.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  stopAll('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
