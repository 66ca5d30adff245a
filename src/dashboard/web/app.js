// windash dashboard: the overview of a user's machines, a machine's history, adding a machine.
// Plain modern JavaScript, no build step. Data comes from the server's JSON API (docs/api.md)
// and its live WebSocket (/api/live); history is read once per range or page, never polled.
// Every string from the server goes into the page through textContent, never as HTML.

const view = document.getElementById('view');
const liveState = document.getElementById('live-state');

// --- small helpers -------------------------------------------------------------------------

/** An element: h('div', {class: 'x', onclick: f}, child, 'text', ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
function bytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}
const rate = (n) => (n === null || n === undefined ? '–' : `${bytes(n)}/s`);
const percent = (n) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(1)} %`);

function ago(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
function duration(seconds) {
  const d = Math.floor(seconds / 86400), hh = Math.floor((seconds % 86400) / 3600);
  return d > 0 ? `${d} d ${hh} h` : `${hh} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)windash_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

class ApiError extends Error {
  constructor(status, code, message) { super(message || code); this.status = status; this.code = code; }
}

/** One API call; a lost session sends the person to sign in and comes back here after. */
async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    throw new ApiError(401, 'unauthorized', 'Signed out');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.error, data?.message || data?.error || res.statusText);
  return data;
}

/** What a card and a live chart show of one sample. */
function figures(s) {
  if (!s) return null;
  const disks = s.disk || [];
  const diskUsed = disks.reduce((a, d) => a + d.used, 0);
  const diskTotal = disks.reduce((a, d) => a + d.total, 0);
  return {
    t: Date.parse(s.ts) / 1000,
    cpu: s.cpu?.total ?? null,
    mem: s.mem && s.mem.total > 0 ? (100 * s.mem.used) / s.mem.total : null,
    disk: diskTotal > 0 ? (100 * diskUsed) / diskTotal : null,
    net: s.net ? s.net.txBps + s.net.rxBps : null,
  };
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// --- state shared by the views -----------------------------------------------------------

/** The user's devices by id, with the last few minutes of each card's sparklines. */
const devices = new Map();
/** The view on screen: gets live events (sample, device) while it is shown. */
let current = null;

function remember(device) {
  const known = devices.get(device.id);
  const entry = known || { spark: { t: [], cpu: [], mem: [], disk: [], net: [] } };
  entry.device = device;
  devices.set(device.id, entry);
  return entry;
}

const sparkSeconds = 600;
function pushSpark(entry, f) {
  const sp = entry.spark;
  if (!f || (sp.t.length && f.t <= sp.t[sp.t.length - 1])) return;
  for (const k of ['t', 'cpu', 'mem', 'disk', 'net']) sp[k].push(f[k]);
  while (sp.t.length && sp.t[0] < f.t - sparkSeconds) for (const k of Object.keys(sp)) sp[k].shift();
}

// --- live updates --------------------------------------------------------------------------

/** /api/live, reconnecting by itself with jittered backoff; events go to the view shown. */
class Live {
  constructor() { this.backoff = 1000; this.everOpen = false; this.connect(); }
  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/live`);
    this.ws = ws;
    ws.onopen = () => {
      this.setState('live');
      this.backoff = 1000;
      // Events sent while disconnected are lost: read the devices' state once again.
      if (this.everOpen) current?.resync?.();
      this.everOpen = true;
    };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      const entry = devices.get(m.deviceId);
      if (m.type === 'sample' && entry) {
        const d = entry.device;
        if (!d.latest || Date.parse(m.sample.ts) >= Date.parse(d.latest.ts)) d.latest = m.sample;
        if (!d.lastSeenAt || Date.parse(m.sample.ts) > Date.parse(d.lastSeenAt)) d.lastSeenAt = m.sample.ts;
        d.isOnline = true;
        pushSpark(entry, figures(m.sample));
      } else if (m.type === 'device' && entry) {
        entry.device.isOnline = m.isOnline;
      }
      current?.live?.(m);
    };
    ws.onclose = () => {
      this.setState('reconnecting');
      const wait = this.backoff / 2 + Math.random() * (this.backoff / 2);
      this.backoff = Math.min(30000, this.backoff * 2);
      setTimeout(() => this.connect(), wait);
    };
  }
  setState(s) {
    liveState.dataset.state = s;
    liveState.textContent = s === 'live' ? 'live' : 'reconnecting…';
  }
}

// --- overview ------------------------------------------------------------------------------

function drawSpark(canvas, values, max) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, hgt = canvas.clientHeight;
  if (!w || !hgt) return;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  const pts = values.map((v, i) => [i, v]).filter(([, v]) => v !== null && Number.isFinite(v));
  canvas.dataset.points = String(pts.length);
  if (pts.length < 2) return;
  const top = max ?? Math.max(...pts.map(([, v]) => v), 1);
  const x = (i) => (i / (values.length - 1)) * (w - 2) + 1;
  const y = (v) => hgt - 1 - (Math.min(v, top) / top) * (hgt - 2);
  ctx.strokeStyle = getComputedStyle(canvas).color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  pts.forEach(([i, v], n) => (n ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
  ctx.lineTo(x(pts[pts.length - 1][0]), hgt);
  ctx.lineTo(x(pts[0][0]), hgt);
  ctx.globalAlpha = 0.15;
  ctx.fillStyle = ctx.strokeStyle;
  ctx.fill();
}

class Overview {
  constructor() {
    this.sort = sessionStorage.getItem('windash.sort') || 'name';
    this.filter = '';
    this.cards = new Map();
  }

  async show() {
    document.title = 'Machines · windash';
    const list = await api('GET', '/api/devices');
    devices.clear();
    for (const d of list) remember(d);
    this.render();
    view.dataset.state = 'ready';
    // The sparklines' last ten minutes: one history read per card, once.
    await Promise.all(list.slice(0, 100).map((d) => this.loadSpark(d.id)));
    this.clock = setInterval(() => this.refreshTimes(), 5000);
  }
  hide() { clearInterval(this.clock); }

  async resync() {
    const list = await api('GET', '/api/devices');
    for (const d of list) remember(d);
    this.render();
  }

  async loadSpark(id) {
    let hist;
    try {
      hist = await api('GET', `/api/devices/${id}/metrics?from=-10m&maxPoints=120`);
    } catch { return; }
    const entry = devices.get(id);
    if (!entry || !hist.time.length) return;
    const sp = { t: [], cpu: [], mem: [], disk: [], net: [] };
    hist.time.forEach((t, i) => {
      const used = (hist.disks || []).reduce((a, d) => a + (d.used.avg[i] ?? 0), 0);
      const total = (hist.disks || []).reduce((a, d) => a + (d.total.avg[i] ?? 0), 0);
      const memTotal = hist.mem.total.avg[i];
      sp.t.push(t);
      sp.cpu.push(hist.cpu.avg[i]);
      sp.mem.push(memTotal ? (100 * hist.mem.used.avg[i]) / memTotal : null);
      sp.disk.push(total > 0 ? (100 * used) / total : null);
      sp.net.push((hist.net.txBps.avg[i] ?? 0) + (hist.net.rxBps.avg[i] ?? 0));
    });
    // Live samples that came while this was read stay after it.
    const last = sp.t[sp.t.length - 1];
    entry.spark.t.forEach((t, i) => {
      if (t > last) for (const k of Object.keys(sp)) sp[k].push(entry.spark[k][i]);
    });
    entry.spark = sp;
    this.updateCard(id);
  }

  sorted() {
    const q = this.filter.trim().toLowerCase();
    const list = [...devices.values()].map((e) => e.device).filter(
      (d) => !q || d.name.toLowerCase().includes(q) || d.hostId.toLowerCase().includes(q));
    const cpu = (d) => d.latest?.cpu?.total ?? -1;
    const by = {
      name: (a, b) => a.name.localeCompare(b.name),
      status: (a, b) => Number(b.isOnline) - Number(a.isOnline) || a.name.localeCompare(b.name),
      cpu: (a, b) => cpu(b) - cpu(a),
      seen: (a, b) => (Date.parse(b.lastSeenAt) || 0) - (Date.parse(a.lastSeenAt) || 0),
    }[this.sort];
    return list.sort(by);
  }

  render() {
    this.cards.clear();
    if (devices.size === 0) {
      view.replaceChildren(
        h('div', { class: 'empty' },
          h('h1', {}, 'No machines yet'),
          h('p', {}, 'Add your first machine: run windash-agent on it with this server\'s address. ' +
            'It shows a pairing link; open it here and approve, and its metrics appear on this page within seconds.'),
          h('p', {}, h('a', { class: 'button', href: '/add' }, 'Add a machine'))));
      return;
    }
    const sortSelect = h('select', { id: 'sort', 'aria-label': 'Sort machines' },
      ...[['name', 'Name'], ['status', 'Online first'], ['cpu', 'CPU, busiest first'], ['seen', 'Last seen']]
        .map(([v, label]) => h('option', { value: v, selected: v === this.sort }, label)));
    sortSelect.addEventListener('change', () => {
      this.sort = sortSelect.value;
      sessionStorage.setItem('windash.sort', this.sort);
      this.renderCards();
    });
    const filter = h('input', { id: 'filter', type: 'search', placeholder: 'Filter by name or host id',
      'aria-label': 'Filter machines', value: this.filter });
    filter.addEventListener('input', () => { this.filter = filter.value; this.renderCards(); });
    this.grid = h('div', { class: 'cards', id: 'cards' });
    view.replaceChildren(
      h('div', { class: 'toolbar' }, h('h1', {}, 'Machines'), filter, sortSelect,
        h('a', { class: 'button', href: '/add' }, 'Add a machine')),
      this.grid);
    this.renderCards();
  }

  renderCards() {
    this.cards.clear();
    const shown = this.sorted();
    this.grid.replaceChildren(...shown.map((d) => this.card(d)));
    if (!shown.length) this.grid.append(h('p', { class: 'muted' }, 'No machine matches the filter.'));
    for (const d of shown) this.updateCard(d.id);
  }

  card(d) {
    const stat = (key, label) => [
      h('dt', {}, label),
      h('dd', { 'data-stat': key }, '–'),
      h('canvas', { class: `spark ${key}`, 'aria-hidden': 'true' }),
    ];
    const el = h('a', { class: 'card', href: `/devices/${d.id}`, dataset: { deviceId: d.id, hostId: d.hostId } },
      h('div', { class: 'card-head' }, h('span', { class: 'dot', role: 'img' }), h('h2', {})),
      h('p', { class: 'sub' }),
      h('dl', { class: 'stats' }, stat('cpu', 'CPU'), stat('mem', 'Memory'), stat('disk', 'Disk'), stat('net', 'Network')));
    this.cards.set(d.id, el);
    return el;
  }

  updateCard(id) {
    const el = this.cards.get(id);
    const entry = devices.get(id);
    if (!el || !entry) return;
    const d = entry.device;
    const dot = el.querySelector('.dot');
    dot.dataset.online = String(d.isOnline);
    dot.setAttribute('aria-label', d.isOnline ? 'online' : 'offline');
    el.dataset.online = String(d.isOnline);
    el.querySelector('h2').textContent = d.name;
    el.querySelector('.sub').textContent = `${d.hostId} · ${d.isOnline ? 'online' : 'offline'} · seen ${ago(d.lastSeenAt)}`;
    const f = figures(d.latest);
    const set = (key, text, value) => {
      const dd = el.querySelector(`[data-stat="${key}"]`);
      dd.textContent = text;
      dd.dataset.value = value ?? '';
      dd.dataset.ts = d.latest?.ts ?? '';
    };
    set('cpu', percent(f?.cpu), f?.cpu);
    set('mem', percent(f?.mem), f?.mem);
    set('disk', percent(f?.disk), f?.disk);
    set('net', rate(f?.net), f?.net);
    const sp = entry.spark;
    drawSpark(el.querySelector('.spark.cpu'), sp.cpu, 100);
    drawSpark(el.querySelector('.spark.mem'), sp.mem, 100);
    drawSpark(el.querySelector('.spark.disk'), sp.disk, 100);
    drawSpark(el.querySelector('.spark.net'), sp.net);
  }

  refreshTimes() { for (const id of this.cards.keys()) this.updateCard(id); }

  live(m) {
    if (!devices.has(m.deviceId)) {
      // A machine paired in another tab: read the list once.
      if (m.type === 'device') this.resync();
      return;
    }
    this.updateCard(m.deviceId);
    if (this.sort !== 'name') this.renderCards();
  }
}

// --- device page -----------------------------------------------------------------------------

// name, seconds, the history API's `from` (its durations have no years).
const ranges = [
  ['5m', 300, '-5m'], ['1h', 3600, '-1h'], ['24h', 86400, '-24h'], ['7d', 7 * 86400, '-7d'],
  ['30d', 30 * 86400, '-30d'], ['1y', 365 * 86400, '-365d'],
];

function axisValues(format) { return (u, splits) => splits.map((v) => (v === null ? '' : format(v))); }

/** One uPlot chart of a history response, kept for live appends. */
class Chart {
  constructor(parent, { title, series, format, max, band, note, window }) {
    this.window = window;
    this.format = format;
    this.section = h('section', { class: 'chart', 'aria-label': title },
      h('h2', {}, title), this.plotEl = h('div', { class: 'plot' }),
      note ? h('p', { class: 'note' }, note) : null);
    parent.append(this.section);
    this.seriesSpec = series;
    this.max = max;
    this.band = band;
  }

  build(data, onSelect) {
    const muted = cssVar('--muted'), line = cssVar('--line');
    const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    const opts = {
      width: Math.max(200, this.plotEl.clientWidth || 400),
      height: 200,
      cursor: { sync: { key: 'windash' }, drag: { x: true, y: false, setScale: false } },
      // The x axis spans the range asked for, not only where there is data.
      scales: { x: { time: true, range: (u, min, max) => this.window?.() ?? [min, max] }, y: this.max ? { range: [0, this.max] } : { range: (u, lo, hi) => [0, Math.max(hi, 1) * 1.05] } },
      axes: [axis, { ...axis, size: 70, values: axisValues(this.format) }],
      series: [{}, ...this.seriesSpec.map((s) => ({
        label: s.label,
        // min and max only bound the band: no line of their own.
        stroke: s.width === 0 ? 'transparent' : cssVar(s.color),
        width: s.width === 0 ? 1 : s.width ?? 1.5,
        dash: s.dash,
        show: s.show ?? true,
        points: { show: false },
        value: (u, v) => (v === null || v === undefined ? '–' : this.format(v)),
      }))],
      bands: this.band ? [{ series: this.band, fill: cssVar('--band') }] : [],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width > 4) {
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            onSelect(from, to);
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        }],
      },
    };
    this.plot?.destroy();
    this.data = data;
    this.plot = new uPlot(opts, data, this.plotEl);
    this.section.dataset.points = String(data[0].length);
  }

  append(t, values) {
    if (!this.plot) return;
    this.data[0].push(t);
    values.forEach((v, i) => this.data[i + 1].push(v));
    this.plot.setData(this.data);
    this.section.dataset.points = String(this.data[0].length);
  }

  trim(before) {
    if (!this.plot) return;
    let n = 0;
    while (n < this.data[0].length && this.data[0][n] < before) n++;
    if (n) for (const col of this.data) col.splice(0, n);
  }

  resize() { this.plot?.setSize({ width: Math.max(200, this.plotEl.clientWidth), height: 200 }); }
  destroy() { this.plot?.destroy(); }
}

/** Per-core CPU as a heat strip: a row per core, a column per bucket; readable at 64 cores. */
class HeatStrip {
  constructor(parent) {
    this.section = h('section', { class: 'chart', 'aria-label': 'CPU per core' },
      h('h2', {}, 'CPU per core'),
      this.canvas = h('canvas', { class: 'heat', role: 'img' }),
      h('div', { class: 'legend-scale' }, h('span', {}, '0 %'), h('span', {}, 'average busy per bucket'), h('span', {}, '100 %')));
    parent.append(this.section);
  }
  set(time, cores) {
    this.time = time;
    this.cores = cores;
    this.draw();
  }
  append(t, perCore) {
    if (!this.cores) return;
    this.time.push(t);
    perCore.forEach((v, i) => this.cores[i]?.push(v));
    this.draw();
  }
  draw() {
    const cores = this.cores || [];
    const n = this.time?.length || 0;
    this.canvas.setAttribute('aria-label', `${cores.length} cores over ${n} buckets`);
    this.section.dataset.points = String(n);
    const rowH = cores.length > 32 ? 3 : cores.length > 8 ? 6 : 14;
    const w = Math.max(1, n), hh = Math.max(1, cores.length * rowH);
    this.canvas.width = w;
    this.canvas.height = hh;
    this.canvas.style.height = `${hh}px`;
    const ctx = this.canvas.getContext('2d');
    const accent = cssVar('--s1');
    ctx.clearRect(0, 0, w, hh);
    cores.forEach((col, r) => col.forEach((v, c) => {
      if (v === null) return;
      ctx.globalAlpha = 0.08 + 0.92 * Math.min(1, v / 100);
      ctx.fillStyle = accent;
      ctx.fillRect(c, r * rowH, 1, rowH - (rowH > 3 ? 1 : 0));
    }));
  }
}

class DevicePage {
  constructor(id) {
    this.id = id;
    const saved = sessionStorage.getItem('windash.range');
    this.range = ranges.some(([n]) => n === saved) ? saved : '1h';
    this.custom = null;
    this.charts = [];
    this.seq = 0;
  }

  async show() {
    let d;
    try {
      d = await api('GET', `/api/devices/${this.id}`);
    } catch (e) {
      if (e.status === 404) {
        view.replaceChildren(h('h1', {}, 'No such machine'),
          h('p', {}, 'It does not exist, or it is not yours. ', h('a', { href: '/' }, 'Back to your machines')));
        view.dataset.state = 'ready';
        return;
      }
      throw e;
    }
    remember(d);
    this.layout();
    await this.load();
    this.observer = new ResizeObserver(() => this.charts.forEach((c) => c.resize()));
    this.observer.observe(this.chartsEl);
    this.clock = setInterval(() => this.renderHead(), 5000);
  }
  hide() {
    clearInterval(this.clock);
    this.observer?.disconnect();
    this.charts.forEach((c) => c.destroy());
  }
  // Undefined once the device is gone (deleted here or elsewhere) while this page still shows.
  get device() { return devices.get(this.id)?.device; }

  layout() {
    this.title = h('h1', {});
    this.dot = h('span', { class: 'dot', role: 'img' });
    this.facts = h('p', { class: 'facts' });
    this.panel = h('div', {});
    this.rangeButtons = ranges.map(([name]) => h('button', {
      type: 'button', class: 'secondary small', 'data-range': name, onclick: () => this.pick(name),
    }, name));
    this.customLabel = h('span', { class: 'muted', id: 'custom-range' });
    this.chartsEl = h('div', { class: 'charts' });
    view.replaceChildren(
      h('div', { class: 'toolbar' }, this.dot, this.title,
        h('button', { type: 'button', class: 'secondary small', id: 'rename', onclick: () => this.rename() }, 'Rename'),
        h('button', { type: 'button', class: 'secondary small', id: 'rotate', onclick: () => this.rotate() }, 'Rotate token'),
        h('button', { type: 'button', class: 'secondary small', id: 'delete', onclick: () => this.remove() }, 'Delete')),
      this.facts, this.panel,
      h('div', { class: 'toolbar' }, h('div', { class: 'ranges', role: 'group', 'aria-label': 'Time range' }, this.rangeButtons),
        this.customLabel, h('span', { class: 'muted' }, 'Drag across a chart to zoom in.')),
      this.chartsEl);
    this.renderHead();
  }

  renderHead() {
    const d = this.device;
    if (!d) return;  // deleted: a late clock tick or live event finds nothing to show
    document.title = `${d.name} · windash`;
    this.title.textContent = d.name;
    this.dot.dataset.online = String(d.isOnline);
    this.dot.setAttribute('aria-label', d.isOnline ? 'online' : 'offline');
    const s = d.latest;
    const parts = [`host id ${d.hostId}`, d.isOnline ? 'online' : 'offline', `seen ${ago(d.lastSeenAt)}`];
    if (s) {
      parts.push(`up ${duration(s.uptimeSec)}`, `${s.procCount} processes`);
      if (s.load) parts.push(`load ${s.load.map((v) => v.toFixed(2)).join(' ')}`);
      if (s.mem?.swapTotal) parts.push(`swap ${bytes(s.mem.swapUsed)} of ${bytes(s.mem.swapTotal)}`);
      if (s.temps?.length) parts.push(s.temps.slice(0, 4).map((t) => `${t.name} ${t.c.toFixed(0)} °C`).join(', '));
    }
    this.facts.replaceChildren(...parts.map((p) => h('span', {}, p)));
  }

  pick(name) {
    this.range = name;
    this.custom = null;
    sessionStorage.setItem('windash.range', name);
    this.load();
  }

  /** [from, to] of the range shown, Unix seconds. */
  window() {
    if (this.custom) return [this.custom.from, this.custom.to];
    const now = Date.now() / 1000;
    return [now - ranges.find(([n]) => n === this.range)[1], now];
  }

  query() {
    const points = Math.min(2000, Math.max(120, Math.round(this.chartsEl.clientWidth || 600)));
    if (this.custom) {
      const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      return `from=${iso(this.custom.from)}&to=${iso(this.custom.to)}&maxPoints=${points}`;
    }
    const from = (ranges.find(([n]) => n === this.range) || ranges[1])[2];
    return `from=${from}&to=now&maxPoints=${points}`;
  }

  async load() {
    const seq = ++this.seq;
    view.dataset.state = 'loading';
    view.dataset.range = this.custom ? 'custom' : this.range;
    for (const b of this.rangeButtons) b.setAttribute('aria-pressed', String(!this.custom && b.dataset.range === this.range));
    this.customLabel.textContent = this.custom
      ? `${new Date(this.custom.from * 1000).toLocaleString()} – ${new Date(this.custom.to * 1000).toLocaleString()}`
      : '';
    const started = performance.now();
    let hist;
    try {
      hist = await api('GET', `/api/devices/${this.id}/metrics?${this.query()}`);
    } catch (e) {
      if (seq !== this.seq || e.status === 401) return;
      this.chartsEl.replaceChildren(h('p', { class: 'error', role: 'alert' }, `History unavailable: ${e.message}`));
      view.dataset.state = 'error';
      return;
    }
    if (seq !== this.seq) return;  // a newer range was picked meanwhile
    this.hist = hist;
    this.draw(hist);
    view.dataset.loadMs = String(Math.round(performance.now() - started));
    view.dataset.tier = hist.tier;
    view.dataset.state = 'ready';
  }

  draw(hist) {
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
    this.chartsEl.replaceChildren();
    const t = hist.time;
    const colors = ['--s4', '--s6', '--s2', '--s3', '--s5', '--s1'];
    const select = (from, to) => {
      this.custom = { from: Math.floor(from), to: Math.ceil(to) };
      this.load();
    };
    const bucket = hist.bucketSeconds;
    const every = bucket < 1 ? 'every sample' : bucket < 120 ? `${Math.round(bucket)} s buckets`
      : bucket < 7200 ? `${Math.round(bucket / 60)} min buckets` : `${Math.round(bucket / 3600)} h buckets`;
    const tierNote = `${hist.tier === 'raw' ? 'raw samples' : `${hist.tier} rollups`}, ${every}; band: min to max`;
    const window = () => this.window();
    const add = (spec, data) => {
      const c = new Chart(this.chartsEl, { ...spec, window });
      this.charts.push(c);
      c.build(data, select);
      return c;
    };
    if (!t.length) {
      this.chartsEl.append(h('p', { class: 'panel muted', id: 'no-samples' },
        'No samples in this range. Pick a longer one, or check that the agent runs.'));
    }
    this.cpu = add({
      title: 'CPU', format: (v) => `${v.toFixed(0)} %`, max: 100, band: [3, 1], note: tierNote,
      series: [{ label: 'min', color: '--s1', width: 0 }, { label: 'avg', color: '--s1', width: 2 }, { label: 'max', color: '--s1', width: 0 }],
    }, [t, hist.cpu.min, hist.cpu.avg, hist.cpu.max]);
    this.heat = new HeatStrip(this.chartsEl);
    this.heat.set([...t], (hist.perCore || []).map((c) => [...c.avg]));
    this.mem = add({
      title: 'Memory', format: bytes, band: [3, 1],
      series: [{ label: 'min', color: '--s5', width: 0 }, { label: 'used', color: '--s5', width: 2 },
        { label: 'max', color: '--s5', width: 0 }, { label: 'total', color: '--muted', width: 1, dash: [4, 4] }],
    }, [t, hist.mem.used.min, hist.mem.used.avg, hist.mem.used.max, hist.mem.total.avg]);
    this.net = add({
      title: 'Network', format: rate,
      series: [{ label: 'sent', color: '--s3', width: 2 }, { label: 'received', color: '--s2', width: 2 }],
    }, [t, hist.net.txBps.avg, hist.net.rxBps.avg]);
    // Optional metrics, charted when the machine reports them.
    this.swapChart = hist.mem.swapTotal?.max.some((v) => v > 0) && add({
      title: 'Swap', format: bytes,
      series: [{ label: 'used', color: '--s2', width: 2 }, { label: 'size', color: '--muted', width: 1, dash: [4, 4] }],
    }, [t, hist.mem.swapUsed.avg, hist.mem.swapTotal.avg]);
    this.loadChart = hist.load && add({
      title: 'Load', format: (v) => v.toFixed(2),
      series: [{ label: '1 min', color: '--s4', width: 2 }, { label: '5 min', color: '--s5', width: 1.5 },
        { label: '15 min', color: '--s6', width: 1.5 }],
    }, [t, hist.load.one.avg, hist.load.five.avg, hist.load.fifteen.avg]);
    const sensors = (hist.temps || []).slice(0, 6);
    this.sensors = sensors.map((x) => x.name);
    this.tempChart = sensors.length > 0 && add({
      title: 'Temperatures', format: (v) => `${v.toFixed(0)} °C`,
      series: sensors.map((x, i) => ({ label: x.name, color: colors[i % 6], width: 1.5 })),
    }, [t, ...sensors.map((x) => x.c.avg)]);
    this.disks = (hist.disks || []).map((d, i) => ({ name: d.name, chart: add({
      title: `Disk ${d.name}`, format: bytes, band: [3, 1],
      series: [{ label: 'min', color: colors[i % 6], width: 0 }, { label: 'used', color: colors[i % 6], width: 2 },
        { label: 'max', color: colors[i % 6], width: 0 }, { label: 'size', color: '--muted', width: 1, dash: [4, 4] }],
    }, [t, d.used.min, d.used.avg, d.used.max, d.total.avg]) }));
  }

  live(m) {
    if (m.deviceId !== this.id) return;
    this.renderHead();
    if (m.type !== 'sample' || this.custom || !this.hist) return;
    // Appended to the open range when it reaches to now; old points leave on the left.
    const s = m.sample, t = Date.parse(s.ts) / 1000;
    const times = this.cpu.data[0];
    if (times.length && t <= times[times.length - 1]) return;
    const span = ranges.find(([n]) => n === this.range)[1];
    for (const c of this.charts) c.trim(t - span);
    this.cpu.append(t, [s.cpu.total, s.cpu.total, s.cpu.total]);
    this.heat.append(t, s.cpu.perCore || []);
    this.mem.append(t, [s.mem.used, s.mem.used, s.mem.used, s.mem.total]);
    this.net.append(t, [s.net.txBps, s.net.rxBps]);
    if (this.swapChart) this.swapChart.append(t, [s.mem.swapUsed ?? null, s.mem.swapTotal ?? null]);
    if (this.loadChart) this.loadChart.append(t, s.load ? [...s.load] : [null, null, null]);
    if (this.tempChart) {
      this.tempChart.append(t, this.sensors.map((name) => (s.temps || []).find((x) => x.name === name)?.c ?? null));
    }
    for (const { name, chart } of this.disks) {
      const d = (s.disk || []).find((x) => x.name === name);
      chart.append(t, d ? [d.used, d.used, d.used, d.total] : [null, null, null, null]);
    }
  }

  async resync() {
    remember(await api('GET', `/api/devices/${this.id}`));
    this.renderHead();
  }

  rename() {
    const input = h('input', { id: 'rename-input', value: this.device.name, maxlength: 256, required: true, 'aria-label': 'New name' });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'panel row' }, input,
      h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', class: 'secondary', onclick: () => this.panel.replaceChildren() }, 'Cancel'), error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        remember(await api('PATCH', `/api/devices/${this.id}`, { name: input.value }));
        this.panel.replaceChildren();
        this.renderHead();
      } catch (err) {
        error.textContent = err.message;
      }
    });
    this.panel.replaceChildren(form);
    input.focus();
    input.select();
  }

  async rotate() {
    if (!(await confirmAction('Rotate this machine\'s token?',
      'Its agent is disconnected at once and refused from then on, until it is given the new token (or paired again).', 'Rotate'))) return;
    const { token } = await api('POST', `/api/devices/${this.id}/rotate-token`);
    this.panel.replaceChildren(h('div', { class: 'panel' },
      h('p', {}, 'The new token, shown only this once. Put it in the agent\'s config (or run it with --token):'),
      h('p', { class: 'token', id: 'new-token' }, token),
      h('button', { type: 'button', class: 'secondary small', onclick: () => this.panel.replaceChildren() }, 'Done')));
  }

  async remove() {
    if (!(await confirmAction(`Delete ${this.device.name}?`,
      'Its history is deleted and its agent is disconnected and refused. This cannot be undone.', 'Delete'))) return;
    await api('DELETE', `/api/devices/${this.id}`);
    devices.delete(this.id);
    navigate('/');
  }
}

function confirmAction(title, text, label) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = label;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

// --- add a machine -----------------------------------------------------------------------------

class AddMachine {
  async show() {
    document.title = 'Add a machine · windash';
    const origin = location.origin;
    const code = h('input', { id: 'pair-code', name: 'code', required: true, maxlength: 64, autocomplete: 'off',
      placeholder: 'WDJB-MJHT', 'aria-label': 'Pairing code' });
    const form = h('form', { class: 'row', method: 'get', action: '/pair' }, code, h('button', { type: 'submit' }, 'Continue'));
    view.replaceChildren(h('div', { class: 'steps' },
      h('h1', {}, 'Add a machine'),
      h('p', {}, 'Run the agent on the machine to watch, with this server\'s address:'),
      h('h2', {}, 'Linux'),
      h('pre', {}, h('code', { id: 'cmd-linux' }, `windash-agent run --server ${origin}`)),
      h('h2', {}, 'Windows'),
      h('pre', {}, h('code', { id: 'cmd-windows' }, `windash-agent.exe run --server ${origin}`)),
      h('p', {}, 'The agent prints a pairing link and a code. Open the link in this browser and approve the machine; ' +
        'it appears on your overview within seconds and keeps streaming from then on, also after restarts.'),
      h('h2', {}, 'Have a code?'),
      h('p', { class: 'muted' }, 'Type the code the agent shows (any case, with or without the dash):'),
      form));
    view.dataset.state = 'ready';
  }
}

// --- routing -------------------------------------------------------------------------------

function viewFor(path) {
  const m = path.match(/^\/devices\/(\d+)$/);
  if (m) return new DevicePage(Number(m[1]));
  if (path === '/add') return new AddMachine();
  return new Overview();
}

async function route() {
  current?.hide?.();
  const path = location.pathname;
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.getAttribute('href') === path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current = viewFor(path);
  view.dataset.state = 'loading';
  delete view.dataset.range;
  try {
    await current.show();
  } catch (e) {
    if (e.status === 401) return;
    view.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, e.message),
      h('button', { type: 'button', onclick: () => route() }, 'Try again'));
    view.dataset.state = 'error';
  }
}

function navigate(path) {
  history.pushState(null, '', path);
  route();
  view.focus({ preventScroll: true });
}

// Links within the dashboard change the view without a page load.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !/^\/($|add$|devices\/\d+$)/.test(url.pathname)) return;
  e.preventDefault();
  if (url.pathname !== location.pathname) navigate(url.pathname);
});
window.addEventListener('popstate', route);

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('POST', '/api/auth/logout'); } finally { location.assign('/login'); }
});

new Live();
route();
