// Leora Jobs dashboard. Plain script, no framework, no build step.
// Rule: job data (types, payloads, errors, names) only ever reaches the page through textContent or
// setAttribute on non-executable attributes, never as markup, so a "<script>" in a payload shows as text.
'use strict';

(() => {
  const STATUSES = ['pending', 'scheduled', 'retrying', 'processing', 'completed', 'failed', 'dead', 'cancelled'];
  const state = {
    session: null,
    route: { view: 'loading' },
    types: [],
    list: { key: '', cursor: null, history: [], selected: new Set(), allMatching: false, total: 0, capped: false, rows: [] },
    job: { id: null, payloadText: null, resultText: null, errorsCount: -1 },
    batches: { before: null, history: [], next: null },
    batch: { id: null, cursor: null, history: [], next: null },
    timer: null,
    chartRange: 'hour',
    busy: false,
    refreshes: 0,
  };

  const $ = (id) => document.getElementById(id);

  // Pages in files of their own (alerts.js) register here: { refresh() }. They get the page's helpers from
  // window.LeoraDashboard, set below once they are defined.
  const pages = {};

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = String(v);
        else e.setAttribute(k, String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // Brings parent's children in line with next (freshly built nodes) by changing the existing nodes in place: a node
  // whose tag (and data-key, for keyed rows) matches is kept and only its attributes and text are updated, so the link
  // or button a keyboard user is on survives a refresh, and a screen reader is not handed a new list every few seconds.
  // Keyed children (rows with data-key) are matched by key, wherever they moved; the others by position.
  function patchChildren(parent, next) {
    const keyed = new Map();
    for (const c of parent.children) if (c.dataset.key !== undefined) keyed.set(c.dataset.key, c);
    next.forEach((n, i) => {
      const at = parent.childNodes[i] || null;
      const key = n.nodeType === Node.ELEMENT_NODE ? n.dataset.key : undefined;
      let old = key !== undefined ? keyed.get(key) : at;
      if (old && key !== undefined) keyed.delete(key);
      if (old && key === undefined && old.nodeType === Node.ELEMENT_NODE && old.dataset.key !== undefined) old = null;
      if (old && old.nodeType === n.nodeType && old.nodeName === n.nodeName) {
        patchNode(old, n);
        if (old !== at) move(parent, old, at);
      } else {
        parent.insertBefore(n, at);
      }
    });
    while (parent.childNodes.length > next.length) parent.lastChild.remove();
  }

  // Moves a kept node (rows reordered) without losing the focus inside it: moveBefore keeps it where the browser has
  // it; elsewhere the focus is put back after the move.
  function move(parent, node, at) {
    if (typeof parent.moveBefore === 'function') {
      try { parent.moveBefore(node, at); return; } catch { /* not movable this way: fall back */ }
    }
    const focused = node.contains(document.activeElement) ? document.activeElement : null;
    parent.insertBefore(node, at);
    if (focused) focused.focus({ preventScroll: true });
  }

  function patchNode(old, n) {
    if (old.nodeType !== Node.ELEMENT_NODE) {
      if (old.nodeValue !== n.nodeValue) old.nodeValue = n.nodeValue;
      return;
    }
    for (const a of Array.from(old.attributes)) if (!n.hasAttribute(a.name)) old.removeAttribute(a.name);
    for (const a of Array.from(n.attributes)) if (old.getAttribute(a.name) !== a.value) old.setAttribute(a.name, a.value);
    patchChildren(old, Array.from(n.childNodes));
  }

  // ---- HTTP -----------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
    }
  }

  function send(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET' && state.session) headers[state.session.csrfHeader] = state.session.csrfToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('api/' + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  // Reads the first view needs, asked for beside the session at start instead of after it (one round trip fewer before
  // the page shows data). Each is used once, by the first api('GET') of its path; a signed-out visitor's are dropped.
  const prefetched = new Map();

  async function api(method, path, body) {
    const early = method === 'GET' ? prefetched.get(path) : undefined;
    if (early) prefetched.delete(path);
    const response = await (early || send(method, path, body));
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json() : null;
    if (response.status === 401 && path !== 'signin') {
      await loadSession();
      showSignIn();
      throw new ApiError(401, data);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  async function loadSession() {
    state.session = await api('GET', 'session');
    rememberSignedIn(state.session.signedIn);
    return state.session;
  }

  // Whether this browser was signed in at its last look (the session cookie itself is HttpOnly): the start asks for the
  // first view's data beside the session only then, so a signed-out visitor's page sends no request that would get 401.
  const SIGNED_IN = 'leora-jobs.signed-in';
  function rememberSignedIn(signedIn) {
    try {
      if (signedIn) localStorage.setItem(SIGNED_IN, '1'); else localStorage.removeItem(SIGNED_IN);
    } catch { /* storage refused: no early reads, nothing else changes */ }
  }
  function wasSignedIn() {
    try { return localStorage.getItem(SIGNED_IN) === '1'; } catch { return false; }
  }

  // ---- Formatting -----------------------------------------------------------------------------------------

  const num = new Intl.NumberFormat();
  function fmtNum(n) { return num.format(n); }
  // Times are shown in the viewer's time zone, named (issue 19); the UTC time is on hover (fmtUtc, the title of a <time>).
  // timeStyle 'long' names the zone ("10:15:03 CET"); dateStyle cannot be combined with timeZoneName itself.
  const localTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
  function fmtTime(iso) {
    if (!iso) return '–';
    return localTime.format(new Date(iso));
  }
  function fmtUtc(iso) {
    if (!iso) return '';
    return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }
  // A <time> with the machine-readable instant, the text given (local time or "5 min ago"), and both zones on hover.
  function timeEl(iso, text) {
    if (!iso) return el('span', { text: '–' });
    return el('time', { datetime: iso, title: `${fmtTime(iso)} · ${fmtUtc(iso)}`, text: text === undefined ? fmtTime(iso) : text });
  }
  function fmtDuration(ms) {
    if (ms === null || ms === undefined) return '–';
    const s = ms / 1000;
    if (s < 1) return `${Math.round(ms)} ms`;
    if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
    return `${(s / 86400).toFixed(1)} days`;
  }
  function fmtAgo(iso) {
    if (!iso) return '';
    const ms = Date.now() - new Date(iso).getTime();
    return ms >= 0 ? `${fmtDuration(ms)} ago` : `in ${fmtDuration(-ms)}`;
  }
  // A list row says retrying and dead itself; the detail view's job is retrying when it waits with an attempt made.
  function statusName(job) {
    if (job.retrying || (job.scheduled && job.retrying === undefined && job.attempts > 0)) return 'retrying';
    if (job.scheduled) return 'scheduled';
    if (job.dead) return 'dead';
    return job.status;
  }
  function statusBadge(job) { return el('span', { class: `status ${statusName(job)}`, text: statusName(job) }); }
  function pretty(value) {
    if (value === null || value === undefined) return '';
    return JSON.stringify(value, null, 2);
  }

  function showResult(node, text, bad) {
    node.textContent = text;
    node.classList.toggle('bad', !!bad);
    node.hidden = false;
  }

  function banner(text) {
    const b = $('banner');
    b.textContent = text || '';
    b.hidden = !text;
  }

  function confirmAction(title, text, yes) {
    const dialog = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-yes').textContent = yes || 'Confirm';
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
    });
  }

  // ---- Routing --------------------------------------------------------------------------------------------

  function parseRoute() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return { view: 'overview' };
    if (parts[0] === 'jobs' && STATUSES.includes(parts[1])) return { view: 'list', status: parts[1], params };
    // #/jobs/all is where the filter form of the all-jobs list navigates to (navigateList): the same list.
    if (parts[0] === 'jobs' && (!parts[1] || parts[1] === 'all')) return { view: 'list', status: 'all', params };
    if (parts[0] === 'job' && /^\d+$/.test(parts[1] || '')) return { view: 'job', id: parts[1] };
    if (parts[0] === 'batches') return { view: 'batches' };
    if (parts[0] === 'batch' && /^\d+$/.test(parts[1] || '')) return { view: 'batch', id: parts[1], nav: 'batches' };
    if (parts[0] === 'enqueue') return { view: 'enqueue' };
    if (parts[0] === 'maintenance') return { view: 'maintenance' };
    if (parts[0] === 'schedules') return { view: 'schedules' };
    if (parts[0] === 'paused') return { view: 'paused' };
    if (parts[0] === 'queues') return { view: 'groups', scope: 'queue', nav: 'queues' };
    if (parts[0] === 'types') return { view: 'groups', scope: 'type', nav: 'types' };
    if (pages[parts[0]]) return { view: parts[0] };
    return { view: 'overview' };
  }

  function show(view) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== `view-${view}`;
    const navKey = view === 'list' ? state.route.status : (state.route.nav || view);
    for (const a of document.querySelectorAll('#nav a, #statusnav a')) {
      const active = a.dataset.nav === navKey || (view === 'list' && a.dataset.nav === 'all');
      a.classList.toggle('active', active);
      if (a.dataset.nav === navKey) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    closeMenu();
  }

  function showSignIn() {
    stopPolling();
    $('nav').hidden = true;
    $('statusnav').hidden = true;
    $('menu-toggle').hidden = true;
    $('who').hidden = true;
    if (state.session && state.session.mode === 'host') { show('denied'); return; }
    $('signin-nokeys').hidden = !state.session || state.session.keysConfigured;
    show('signin');
    $('signin-key').focus();
  }

  function applySession() {
    const s = state.session;
    $('nav').hidden = false;
    $('statusnav').hidden = false;
    $('menu-toggle').hidden = false;
    $('who').hidden = false;
    $('who-name').textContent = s.user || '';
    $('ro-badge').hidden = !s.readOnly;
    $('signout').hidden = s.mode === 'host';
    document.body.classList.toggle('read-only', s.readOnly);
    for (const e of document.querySelectorAll('.needs-act')) e.hidden = s.readOnly;
    $('retryall-limit').textContent = fmtNum(s.retryAllLimit);
  }

  async function route() {
    if (!state.session || !state.session.signedIn) { showSignIn(); return; }
    state.route = parseRoute();
    if (state.session.readOnly && (state.route.view === 'enqueue' || state.route.view === 'maintenance')) state.route = { view: 'overview' };
    show(state.route.view);
    for (const r of document.querySelectorAll('.result')) r.hidden = true;
    if (state.route.view === 'list') enterList();
    if (state.route.view === 'job') enterJob();
    if (state.route.view === 'batch') enterBatch();
    if (state.route.view === 'groups') enterGroups();
    if (state.route.view === 'enqueue' || state.route.view === 'maintenance') await loadTypes();
    if (state.route.view === 'enqueue') newFormKey();
    await refresh(true);
    startPolling();
  }

  // ---- Polling: refresh the current view in place, keeping filters, page, scroll and open details ----------

  function startPolling() {
    stopPolling();
    const tick = async () => {
      if ($('live').checked && !document.hidden && !$('confirm').open) await refresh();
      state.timer = setTimeout(tick, state.session.pollMs);
    };
    state.timer = setTimeout(tick, state.session.pollMs);
  }

  function stopPolling() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  // A timer refresh is skipped while another runs; a user's refresh (force) never is. Responses that no longer
  // match what the user is looking at (another page, another job) are dropped by the view's refresh.
  async function refresh(force) {
    if (state.busy && !force) return;
    state.busy = true;
    try {
      switch (state.route.view) {
        case 'overview': await refreshOverview(); break;
        case 'list': await refreshList(); break;
        case 'job': await refreshJob(); break;
        case 'schedules': await refreshSchedules(); break;
        case 'paused': await refreshPaused(); break;
        case 'groups': await refreshGroups(); break;
        case 'batches': await refreshBatches(); break;
        case 'batch': await refreshBatch(); break;
        default: if (pages[state.route.view]) await pages[state.route.view].refresh(); break;
      }
      banner('');
      // A signal for tests and tools: how many refreshes have been drawn on this page.
      state.refreshes += 1;
      $('main').dataset.refreshes = String(state.refreshes);
    } catch (e) {
      if (e.status !== 401) banner(`Could not refresh: ${e.message}`);
    } finally {
      state.busy = false;
    }
  }

  // ---- Overview -------------------------------------------------------------------------------------------

  async function refreshOverview() {
    const range = state.chartRange;
    const [overview, history, nodes] = await Promise.all([
      api('GET', 'overview'), api('GET', `history?range=${range}`), api('GET', 'nodes'),
    ]);
    const c = overview.counts;
    for (const s of STATUSES) $(`count-${s}`).textContent = fmtNum(c[s]);
    $('count-failed').parentElement.classList.toggle('nonzero', c.failed > 0);

    const health = $('health');
    health.className = `health ${overview.health.state}`;
    $('health-title').textContent = { ok: 'Healthy: jobs are flowing', warning: 'Warning', failing: 'Attention: jobs are failing or backing up' }[overview.health.state] || overview.health.state;
    patchChildren($('health-reasons'), overview.health.reasons.map((r) => el('li', { text: r })));

    $('stat-oldest').textContent = overview.oldestDuePendingAgeSeconds === null ? 'none due' : fmtDuration(overview.oldestDuePendingAgeSeconds * 1000);
    $('stat-completed-hour').textContent = fmtNum(overview.completedLastHour);
    $('stat-failed-hour').textContent = fmtNum(overview.failedLastHour);
    $('stat-last-minute').textContent = `${fmtNum(overview.completedLastMinute)} done, ${fmtNum(overview.failedLastMinute)} failed`;

    if (history.range === state.chartRange) drawChart($('chart'), history);
    renderNodes(nodes.nodes);
    renderNamedCounts($('by-type'), overview.byType, (name) => `#/jobs/pending?type=${encodeURIComponent(name)}`);
    renderNamedCounts($('by-queue'), overview.byQueue, (name) => `#/jobs/pending?queue=${encodeURIComponent(name)}`);
    renderLimits(overview.limits);
  }

  // Rate and concurrency limits, read-only: each with its usage now against it (docs/limits.md).
  function renderLimits(limits) {
    const body = $('limits').tBodies[0];
    if (limits.length === 0) {
      patchChildren(body, [el('tr', null, el('td', { colspan: 4, class: 'muted', text: 'No limits.' }))]);
      return;
    }
    patchChildren(body, limits.map((l) => el('tr', { 'data-key': `${l.scope}:${l.name}` },
      el('td', null, `${l.scope} `, el('span', { class: 'mono', text: l.name })),
      el('td', { class: 'num', text: l.rate === null ? '-' : `${fmtNum(l.startedInWindow)} / ${fmtNum(l.rate)} per ${fmtDuration(l.ratePeriodSeconds * 1000)}` }),
      el('td', { class: 'num', text: `${fmtNum(l.running)} / ${l.concurrency === null ? '-' : fmtNum(l.concurrency)}` }),
      el('td', { class: 'num', text: l.scope === 'type' ? `${fmtNum(l.keysRunning)} (${l.keyConcurrency ?? 1} per key)` : '-' }))));
  }

  function renderNamedCounts(table, rows, link) {
    const body = table.tBodies[0];
    if (rows.length === 0) {
      patchChildren(body, [el('tr', null, el('td', { colspan: 3, class: 'muted', text: 'Nothing unfinished.' }))]);
      return;
    }
    patchChildren(body, rows.map((r) => el('tr', { 'data-key': r.name },
      el('td', null, el('a', { href: link(r.name), text: r.name })),
      el('td', { class: 'num', text: fmtNum(r.pending) }),
      el('td', { class: 'num', text: fmtNum(r.processing) }))));
  }

  function renderNodes(nodes) {
    const body = $('nodes').tBodies[0];
    patchChildren(body, nodes.map((n) => {
      const running = el('td');
      if (n.running.length === 0) running.append(el('span', { class: 'muted', text: 'idle' }));
      for (const j of n.running) {
        const label = j.progress === null ? `#${j.id} ${j.type}` : `#${j.id} ${j.type} ${j.progress}%`;
        running.append(el('a', { href: `#/job/${j.id}`, text: label }), ' ');
      }
      const name = el('td', { class: 'mono' }, n.name);
      if (n.thisProcess) name.append(' ', el('span', { class: 'badge', text: 'this process' }));
      if (n.isLeader) name.append(' ', el('span', { class: 'badge leader', text: 'leader' }));
      const worker = el('td', { text: n.working ? (n.concurrency ? `worker, ${n.concurrency} at once` : 'worker') : 'no long-running worker' });
      if (n.queues) worker.append(el('div', { class: 'small muted', text: `queues: ${n.queues}` }));
      if (n.lastSeen) worker.append(el('div', { class: n.silent ? 'small error' : 'small muted', text: `${n.silent ? 'silent, last heard' : 'heartbeat'} ${fmtAgo(n.lastSeen)}` }));
      return el('tr', { class: n.silent ? 'silent' : null, 'data-key': n.name }, name, worker, running);
    }));
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const RANGES = {
    hour: { title: 'Throughput, last hour (per minute)', unit: 'minute', label: 'over the last hour' },
    day: { title: 'Throughput, last day (per hour)', unit: 'hour', label: 'over the last day' },
    week: { title: 'Throughput, last week (per hour)', unit: 'hour', label: 'over the last week' },
  };

  function setChartRange(range) {
    if (!RANGES[range]) return;
    state.chartRange = range;
    for (const b of document.querySelectorAll('.chart-range button')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
    $('chart-title').textContent = RANGES[range].title;
    refresh(true);
  }

  // A round step for the count axis: 1, 2 or 5 times a power of ten, so that about four gridlines fit.
  function niceStep(max) {
    const raw = max / 4;
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
    return 10 * p;
  }

  // Stacked bars per bucket (a minute or an hour): completed below, failed on top, from the store's history table.
  // Labelled axes: counts (jobs per minute or hour) with gridlines on the left, times in the viewer's zone below.
  // Drawn as SVG elements (no inline style, CSP-safe).
  function drawChart(root, history) {
    const points = history.points;
    const r = RANGES[history.range] || RANGES.hour;
    const W = 1200, H = 240, left = 64, right = 8, top = 10, bottom = 44;
    const plotW = W - left - right, plotH = H - top - bottom;
    const highest = Math.max(0, ...points.map((p) => p.completed + p.failed));
    const step = niceStep(Math.max(highest, 1));
    const max = Math.max(step, Math.ceil(Math.max(highest, 1) / step) * step);
    const slot = plotW / Math.max(1, points.length);
    const barW = Math.max(1, slot - (slot > 6 ? 2 : 0.5));
    const y = (v) => top + plotH - (v / max) * plotH;
    root.setAttribute('aria-label', `Completed and failed jobs per ${r.unit} ${r.label}: ${fmtNum(points.reduce((a, p) => a + p.completed, 0))} completed, ${fmtNum(points.reduce((a, p) => a + p.failed, 0))} failed`);
    const nodes = [];
    for (let v = 0; v <= max; v += step) {
      nodes.push(svg('line', { class: v === 0 ? 'axis' : 'grid', x1: left, y1: y(v), x2: W - right, y2: y(v) }));
      nodes.push(svg('text', { class: 'y-tick', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtNum(v)));
    }
    nodes.push(svg('text', { class: 'y-title', x: 12, y: top + plotH / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${top + plotH / 2})` }, `jobs per ${r.unit}`));
    nodes.push(svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH }));
    const when = (iso) => (r.unit === 'minute'
      ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : new Date(iso).toLocaleString([], { weekday: history.range === 'week' ? 'short' : undefined, hour: '2-digit', minute: '2-digit' }));
    points.forEach((p, i) => {
      const x = left + i * slot + (slot > 6 ? 1 : 0);
      const g = svg('g');
      g.append(svg('title', null, `${when(p.at)}: ${p.completed} completed, ${p.failed} failed`));
      if (p.completed > 0) g.append(svg('rect', { class: 'ok', x, y: y(p.completed), width: barW, height: top + plotH - y(p.completed) }));
      if (p.failed > 0) g.append(svg('rect', { class: 'bad', x, y: y(p.completed + p.failed), width: barW, height: y(p.completed) - y(p.completed + p.failed) }));
      g.append(svg('rect', { x, y: top, width: barW, height: plotH, fill: 'transparent' }));
      nodes.push(g);
    });
    // Time ticks: every 10 minutes (hour), 4 hours (day) or day (week), each at the start of its bucket.
    const every = { hour: 10, day: 4, week: 24 }[history.range] || 10;
    points.forEach((p, i) => {
      const d = new Date(p.at);
      const n = r.unit === 'minute' ? d.getMinutes() : history.range === 'week' ? d.getHours() : d.getHours();
      const on = history.range === 'week' ? n === 0 : n % every === 0;
      if (!on) return;
      const x = left + i * slot;
      nodes.push(svg('line', { class: 'axis', x1: x, y1: top + plotH, x2: x, y2: top + plotH + 4 }));
      nodes.push(svg('text', { class: 'x-tick', x, y: top + plotH + 17, 'text-anchor': 'middle' }, when(p.at)));
    });
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
    nodes.push(svg('text', { class: 'x-title', x: left + plotW / 2, y: H - 4, 'text-anchor': 'middle' }, `time (${zone})`));
    root.replaceChildren(...nodes);
  }

  // ---- Job lists ------------------------------------------------------------------------------------------

  function listKey() {
    const r = state.route;
    return `${r.status}|${r.params.toString()}`;
  }

  function enterList() {
    const r = state.route;
    const key = listKey();
    if (state.list.key !== key) state.list = { key, cursor: null, history: [], selected: new Set(), allMatching: false, total: 0, capped: false, rows: [] };
    const titles = { all: 'All jobs', pending: 'Pending jobs (due now)', scheduled: 'Scheduled jobs', retrying: 'Retrying jobs (waiting for their next attempt)', processing: 'Processing jobs', completed: 'Completed jobs', failed: 'Failed jobs', dead: 'Dead jobs (every attempt used)', cancelled: 'Cancelled jobs' };
    $('list-title').textContent = titles[r.status] || 'Jobs';
    $('list-time-col').textContent = { completed: 'Finished', failed: 'Finished', dead: 'Finished', cancelled: 'Finished', processing: 'Started' }[r.status] || 'Run at';
    $('retry-all').hidden = state.session.readOnly || r.status !== 'failed';
    // Only the actions that can change a job of this list are offered.
    const offered = {
      pending: ['cancel', 'delete'], scheduled: ['runNow', 'cancel', 'delete'], retrying: ['runNow', 'cancel', 'delete'], processing: ['cancel'],
      completed: ['delete'], failed: ['retry', 'delete'], dead: ['retry', 'delete'], cancelled: ['retry', 'delete'],
    }[r.status] || ['retry', 'runNow', 'cancel', 'delete'];
    for (const b of document.querySelectorAll('#bulk button[data-bulk]')) b.hidden = !offered.includes(b.dataset.bulk);
    loadTypes().then(() => { $('filter-type').value = r.params.get('type') || ''; }, () => { /* shown by the next refresh */ });
    $('filter-type').value = r.params.get('type') || '';
    $('filter-queue').value = r.params.get('queue') || '';
    $('filter-order').value = r.params.get('order') || 'newest';
    $('filter-q').value = r.params.get('q') || '';
    for (const [id, key] of SEARCH_INPUTS) $(id).value = r.params.get(key) || '';
    renderSelection();
  }

  // The search inputs and their keys in the page's address; the times are the viewer's local times, sent as UTC.
  const SEARCH_INPUTS = [['filter-payload', 'payload'], ['filter-created-from', 'createdFrom'], ['filter-created-to', 'createdTo'],
    ['filter-finished-from', 'finishedFrom'], ['filter-finished-to', 'finishedTo']];

  // A search (an id or key, payload text, a time range) narrows the list past what a bulk action's filter can say (status,
  // type, queue): "select all matching" is offered only without one, so an action never reaches a job the list did not show.
  function searching() {
    const p = state.route.params;
    return ['q', 'payload', 'createdFrom', 'createdTo', 'finishedFrom', 'finishedTo'].some((k) => p.get(k));
  }

  function listQuery() {
    const r = state.route;
    const q = new URLSearchParams();
    q.set('status', r.status);
    for (const k of ['type', 'queue', 'order', 'q', 'payload']) if (r.params.get(k)) q.set(k, r.params.get(k));
    for (const k of ['createdFrom', 'createdTo', 'finishedFrom', 'finishedTo']) {
      const local = r.params.get(k);
      if (local && !Number.isNaN(new Date(local).getTime())) q.set(k, new Date(local).toISOString());
    }
    return q;
  }

  async function refreshList() {
    const r = state.route;
    const q = listQuery();
    const { cursor, key } = state.list;
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `jobs?${q}`);
    if (state.route.view !== 'list' || listKey() !== key || state.list.key !== key || state.list.cursor !== cursor) return;
    state.list.next = page.nextCursor;
    state.list.total = page.total;
    state.list.capped = page.totalCapped;
    state.list.rows = page.items.map((j) => j.id);
    const act = !state.session.readOnly;
    const timeOf = (j) => (['completed', 'failed', 'dead', 'cancelled'].includes(r.status) ? j.completedAt
      : r.status === 'processing' ? j.startedAt : j.runAt);
    const rows = page.items.map((j) => {
      const detail = j.lastError ? el('td', { class: 'err wide', title: j.lastError, text: j.lastError })
        : el('td', { class: 'mono muted wide', text: j.worker || j.idempotencyKey || '' });
      const when = timeOf(j) || j.runAt;
      const cells = [
        el('td', { class: 'mono' }, el('a', { href: `#/job/${j.id}`, text: `#${j.id}` })),
        el('td', { text: j.type }),
        el('td', { class: 'wide', text: j.queue }),
        el('td', null, statusBadge(j), j.progress !== null && j.status === 'processing' ? ` ${j.progress}%` : ''),
        el('td', { class: 'num', text: `${j.attempts}/${j.maxAttempts}` }),
        el('td', { class: 'num wide', text: j.priority }),
        el('td', { class: 'args mono wide', title: j.args, text: j.args }),
        el('td', { class: 'wide' }, timeEl(j.createdAt, fmtAgo(j.createdAt))),
        el('td', null, timeEl(when, fmtAgo(when))),
        detail];
      if (act) {
        cells.unshift(el('td', { class: 'sel' }, el('input', { type: 'checkbox', 'data-select': j.id, 'aria-label': `Select job #${j.id}` })));
      }
      return el('tr', { 'data-id': j.id, 'data-key': j.id }, ...cells);
    });
    patchChildren($('list-table').tBodies[0], rows);
    $('list-empty').hidden = rows.length > 0;
    $('page-first').disabled = state.list.history.length === 0;
    $('page-prev').disabled = state.list.history.length === 0;
    $('page-next').disabled = !page.nextCursor;
    const n = state.list.history.length + 1;
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const plus = page.totalCapped ? '+' : '';
    const from = (n - 1) * page.pageSize + 1;
    $('page-info').textContent = rows.length === 0 ? '' : `page ${fmtNum(n)} of ${fmtNum(pages)}${plus} · ${fmtNum(from)}–${fmtNum(from + rows.length - 1)} of ${fmtNum(page.total)}${plus}`;
    $('list-total').textContent = `${fmtNum(page.total)}${plus} job${page.total === 1 ? '' : 's'} in this list`;
    renderSelection();
  }

  // ---- Selection and bulk actions (issue 19) ---------------------------------------------------------------
  // The selection is ids on this list (kept across refreshes and pages until the list changes), or "every job matching
  // this filter", which the server walks itself (at most BULK_MAX per click, after a confirmation).

  const BULK_MAX = 1000;

  function renderSelection() {
    const l = state.list;
    // Properties, not attributes: a box the user ticked keeps what the refresh says, and the refresh keeps the box.
    for (const box of document.querySelectorAll('#list-table tbody input[data-select]')) box.checked = l.allMatching || l.selected.has(Number(box.dataset.select));
    const onPage = l.rows.filter((id) => l.selected.has(id)).length;
    const pageBox = $('select-page');
    pageBox.checked = l.allMatching || (l.rows.length > 0 && onPage === l.rows.length);
    pageBox.indeterminate = !l.allMatching && onPage > 0 && onPage < l.rows.length;
    const count = l.allMatching ? Math.min(l.total, BULK_MAX) : l.selected.size;
    $('bulk-count').textContent = l.allMatching
      ? `All ${fmtNum(l.total)}${l.capped ? '+' : ''} matching this filter selected${l.total > BULK_MAX ? ` (the first ${fmtNum(BULK_MAX)} per click)` : ''}`
      : (l.selected.size === 0 ? 'None selected' : `${fmtNum(l.selected.size)} selected`);
    const all = $('bulk-all');
    all.hidden = l.allMatching ? false : searching() || !(l.rows.length > 0 && onPage === l.rows.length && l.total > l.rows.length);
    all.textContent = l.allMatching ? 'Clear selection' : `Select all ${fmtNum(l.total)}${l.capped ? '+' : ''} matching this filter`;
    for (const b of document.querySelectorAll('#bulk button[data-bulk]')) b.disabled = count === 0;
  }

  function toggleSelect(id, on) {
    const l = state.list;
    if (l.allMatching) { l.allMatching = false; l.selected = new Set(l.rows); }
    if (on) l.selected.add(id); else l.selected.delete(id);
    renderSelection();
  }

  async function bulkAction(action) {
    const l = state.list;
    const r = state.route;
    const verbs = { retry: ['Retry', 'retried', 'They go back to pending and run again.'], runNow: ['Run now', 'made due now', 'They run as soon as a worker is free.'],
      cancel: ['Cancel', 'cancelled', 'Pending ones never run; running ones are asked to stop.'], delete: ['Delete', 'deleted', 'They and their history are removed for good.'] };
    const [verb, done, effect] = verbs[action];
    const what = l.allMatching
      ? `${l.total > BULK_MAX ? `the first ${fmtNum(BULK_MAX)} (oldest first) of ` : ''}all ${fmtNum(l.total)}${l.capped ? '+' : ''} jobs matching this filter`
      : `${fmtNum(l.selected.size)} selected job${l.selected.size === 1 ? '' : 's'}`;
    if (!(await confirmAction(`${verb} ${l.allMatching ? 'every matching job' : 'the selected jobs'}?`, `${verb}: ${what}. ${effect}`, `${verb} them`))) return;
    const body = l.allMatching
      ? { action, status: r.status, type: r.params.get('type') || null, queue: r.params.get('queue') || null, limit: BULK_MAX }
      : { action, ids: Array.from(l.selected) };
    const out = $('list-result');
    try {
      const res = await api('POST', 'jobs/bulk', body);
      const reasons = new Map();
      for (const u of res.unchanged) reasons.set(u.reason, (reasons.get(u.reason) || 0) + 1);
      const why = Array.from(reasons, ([reason, n]) => `${fmtNum(n)} ${reason}`).join(', ');
      showResult(out, `${verb}: ${fmtNum(res.changed)} of ${fmtNum(res.selected)} ${done}.${res.unchanged.length ? ` Not changed: ${why}.` : ''}${res.more ? ' More jobs match: select all again for the next ones.' : ''}`, res.changed === 0 && res.selected > 0);
      l.selected = new Set();
      l.allMatching = false;
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- Queues and job types (issue 19) --------------------------------------------------------------------

  async function refreshGroups() {
    const scope = state.route.scope;
    const data = await api('GET', scope === 'type' ? 'jobtypes' : 'queues');
    if (state.route.view !== 'groups' || state.route.scope !== scope) return;
    const act = !state.session.readOnly;
    const param = scope === 'type' ? 'type' : 'queue';
    const noun = scope === 'type' ? 'job type' : 'queue';
    $('groups-empty').hidden = data.rows.length > 0;
    patchChildren($('groups').tBodies[0], data.rows.map((g) => {
      const link = (status, n) => (n === 0 ? el('span', { class: 'muted', text: '0' }) : el('a', { href: `#/jobs/${status}?${param}=${encodeURIComponent(g.name)}`, 'aria-label': `${fmtNum(n)} ${status} jobs of ${noun} ${g.name}`, text: fmtNum(n) }));
      const name = el('td', null, el('span', { class: 'mono', text: g.name }));
      if (g.registered) name.append(el('div', { class: 'small muted', text: `queue ${g.registered.queue}, ${g.registered.maxAttempts} attempts${g.registered.timeoutSeconds ? `, timeout ${fmtDuration(g.registered.timeoutSeconds * 1000)}` : ''}` }));
      else if (scope === 'type') name.append(el('div', { class: 'small error', text: 'not registered here' }));
      const limit = g.limit
        ? [g.limit.rate === null ? null : `${fmtNum(g.limit.startedInWindow)}/${fmtNum(g.limit.rate)} per ${fmtDuration(g.limit.ratePeriodSeconds * 1000)}`,
          g.limit.concurrency === null ? null : `${fmtNum(g.limit.running)}/${fmtNum(g.limit.concurrency)} running`].filter(Boolean).join(', ')
        : '–';
      const stateCell = el('td', null, g.pausedAt ? el('span', { class: 'status paused', text: 'paused' }) : el('span', { class: 'status', text: 'active' }));
      if (g.pausedAt) stateCell.append(' ', timeEl(g.pausedAt, fmtAgo(g.pausedAt)));
      if (act) {
        stateCell.append(' ', el('button', { type: 'button', 'data-group-action': g.pausedAt ? 'resume' : 'pause', 'data-scope': scope, 'data-name': g.name,
          'aria-label': `${g.pausedAt ? 'Resume' : 'Pause'} ${noun} ${g.name}`, text: g.pausedAt ? 'Resume' : 'Pause' }));
      }
      return el('tr', { 'data-key': g.name },
        name,
        el('td', { class: 'num' }, link('pending', g.due)),
        el('td', { class: 'num' }, link('scheduled', g.scheduled)),
        el('td', { class: 'num' }, link('retrying', g.retrying)),
        el('td', { class: 'num' }, link('processing', g.processing)),
        el('td', { class: 'num', text: g.oldestDueAgeSeconds === null ? '–' : fmtDuration(g.oldestDueAgeSeconds * 1000) }),
        el('td', { class: 'num', text: `${fmtNum(g.completedLastHour)} done, ${fmtNum(g.failedLastHour)} failed` }),
        el('td', { class: 'mono small', text: g.workers.length ? g.workers.join(', ') : 'none' }),
        el('td', { class: 'small', text: limit }),
        stateCell);
    }));
  }

  function enterGroups() {
    const type = state.route.scope === 'type';
    $('groups-title').textContent = type ? 'Job types' : 'Queues';
    $('groups-name-col').textContent = type ? 'Job type' : 'Queue';
    $('groups-intro').textContent = type
      ? 'Each job type: its unfinished jobs, how long its oldest due job has waited, what finished in the last hour, the workers running it now, its limit, and pause or resume.'
      : 'Each queue: its unfinished jobs, how long its oldest due job has waited (its latency), what finished in the last hour, the live workers serving it, its limit, and pause or resume.';
  }

  async function groupAction(scope, name, action) {
    const out = $('groups-result');
    const what = `${scope === 'type' ? 'job type' : 'queue'} ${name}`;
    try {
      await api('POST', `pauses/${scope}/${encodeURIComponent(name)}/${action}`);
      showResult(out, action === 'pause' ? `Paused ${what}: its pending jobs wait until it is resumed.` : `Resumed ${what}.`, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- The menu at phone width ----------------------------------------------------------------------------

  function closeMenu() {
    const toggle = $('menu-toggle');
    if (toggle.getAttribute('aria-expanded') !== 'true') return;
    toggle.setAttribute('aria-expanded', 'false');
    $('menu').classList.remove('open');
  }

  function navigateList(changes) {
    const r = state.route;
    const params = new URLSearchParams(r.params);
    for (const [k, v] of Object.entries(changes)) { if (v) params.set(k, v); else params.delete(k); }
    const qs = params.toString();
    location.hash = `#/jobs/${r.status}${qs ? `?${qs}` : ''}`;
  }

  // ---- Job detail -----------------------------------------------------------------------------------------

  function enterJob() {
    if (state.job.id !== state.route.id) {
      state.job = { id: state.route.id, payloadText: null, resultText: null, errorsCount: -1 };
      $('job-errors').replaceChildren();
      $('job-timeline').tBodies[0].replaceChildren();
      $('job-payload').textContent = '';
      $('job-result-json').textContent = '';
      $('job-workflow').hidden = true;
    }
    $('job-title').textContent = `Job #${state.route.id}`;
  }

  async function refreshJob() {
    const id = state.route.id;
    let job;
    let timeline;
    let workflow;
    try {
      [job, timeline, workflow] = await Promise.all([api('GET', `jobs/${id}`), api('GET', `jobs/${id}/timeline`), api('GET', `jobs/${id}/workflow`)]);
    } catch (e) {
      if (e.status === 404) {
        $('job-workflow').hidden = true;
        $('job-status').textContent = 'not found';
        $('job-status').className = 'status';
        $('job-fields').replaceChildren();
        $('job-timeline').tBodies[0].replaceChildren();
        for (const b of ['job-retry', 'job-run-now', 'job-cancel', 'job-delete']) $(b).disabled = true;
        return;
      }
      throw e;
    }
    if (state.route.view !== 'job' || state.route.id !== id) return;
    const status = statusName(job);
    $('job-status').textContent = status;
    $('job-status').className = `status ${status}`;
    $('job-back').setAttribute('href', `#/jobs/${status}`);
    $('job-retry').disabled = !(job.status === 'failed' || job.status === 'cancelled');
    $('job-run-now').disabled = !job.scheduled;
    $('job-cancel').disabled = !(job.status === 'pending' || job.status === 'waiting' || (job.status === 'processing' && !job.cancelRequested));
    $('job-delete').disabled = job.status === 'processing';

    const showProgress = job.progress !== null || job.progressMessage;
    $('job-progress').hidden = !showProgress;
    if (showProgress) {
      $('job-progress-bar').value = job.progress || 0;
      $('job-progress-text').textContent = `${job.progress ?? 0}%${job.progressMessage ? ` · ${job.progressMessage}` : ''}`;
    }

    const fields = [
      ['Type', job.type], ['Queue', job.queue], ['Priority', job.priority],
      ['Attempts', `${job.attempts} of ${job.maxAttempts}`],
      ['Idempotency key', job.idempotencyKey || '–'],
      ['Worker', job.worker || '–'],
      ['Created', timeAgo(job.createdAt)],
      ['Run at', timeAgo(job.runAt)],
      ['Started', timeAgo(job.startedAt)],
      ['Finished', timeAgo(job.completedAt)],
      ['Waited before start', fmtDuration(job.waitedMs)],
      [job.status === 'processing' ? 'Running for' : 'Ran for', fmtDuration(job.ranMs)],
      ['Lease until', timeAgo(job.lockedUntil)],
    ];
    if (job.cancelRequested && job.status === 'processing') fields.push(['Cancel', 'requested; waiting for the handler to stop']);
    patchChildren($('job-fields'), fields.flatMap(([k, v]) => [el('dt', { text: k }), v instanceof Node ? el('dd', null, v) : el('dd', { text: v })]));
    renderTimeline(timeline.events);
    renderWorkflow(workflow);

    // Re-render only what changed, so a reader's scroll position and opened stack traces stay put.
    const payloadText = pretty(job.payload);
    if (payloadText !== state.job.payloadText) { $('job-payload').textContent = payloadText; state.job.payloadText = payloadText; }
    const resultText = job.result === null || job.result === undefined ? '(none)' : pretty(job.result);
    if (resultText !== state.job.resultText) { $('job-result-json').textContent = resultText; state.job.resultText = resultText; }
    if (job.errors.length !== state.job.errorsCount) {
      state.job.errorsCount = job.errors.length;
      $('job-no-errors').hidden = job.errors.length > 0;
      $('job-errors').replaceChildren(...job.errors.map((e, i) => {
        const li = el('li', { 'data-attempt': e.attempt },
          el('div', null, el('strong', { text: `Attempt ${e.attempt}` }), ' · ', el('span', { class: 'mono', text: e.type }),
            ' · ', el('span', { class: 'muted', text: `${fmtTime(e.at)}${e.worker ? ` on ${e.worker}` : ''}` })),
          el('div', { class: 'msg', text: e.message }));
        if (e.stackTrace) {
          const d = el('details', i === job.errors.length - 1 ? { open: '' } : null, el('summary', { text: 'Stack trace' }), el('pre', { class: 'stack', tabindex: 0, 'aria-label': `Stack trace of attempt ${e.attempt}`, text: e.stackTrace }));
          li.append(d);
        }
        return li;
      }));
    }
  }

  // "5 Dec 2026, 10:15:03 CET (5 min ago)", the UTC time on hover.
  function timeAgo(iso) {
    if (!iso) return '–';
    return el('span', null, timeEl(iso), ` (${fmtAgo(iso)})`);
  }

  // The job's timeline as the store recorded it, oldest first; rows keyed by position (events are only ever added).
  const EVENT_NAMES = { enqueued: 'Enqueued', claimed: 'Claimed', completed: 'Completed', failed: 'Failed', rescued: 'Rescued (lease lost)',
    released: 'Released at shutdown', cancelled: 'Cancelled', cancel_requested: 'Cancel requested', retried: 'Retried by hand', run_now: 'Run now by hand' };
  function renderTimeline(events) {
    patchChildren($('job-timeline').tBodies[0], events.map((e, i) => {
      let detail = e.message || '';
      if (e.kind === 'failed' || e.kind === 'rescued') detail = `${e.status === 'pending' ? 'will retry' : `ended ${e.status}`}${detail ? `: ${detail}` : ''}`;
      return el('tr', { 'data-key': `${i}:${e.kind}`, 'data-kind': e.kind },
        el('td', { title: new Date(e.at).toISOString(), text: fmtTime(e.at) }),
        el('td', { text: EVENT_NAMES[e.kind] || e.kind }),
        el('td', null, statusBadge({ status: e.status })),
        el('td', { class: 'num', text: e.attempt }),
        el('td', { class: 'mono', text: e.worker || '–' }),
        el('td', { class: e.message ? 'err' : 'muted', text: detail }));
    }));
  }

  async function jobAction(action) {
    const id = state.route.id;
    const out = $('job-result');
    const prompts = {
      cancel: ['Cancel this job?', `Job #${id} will not run (or, if it is running, its handler is asked to stop).`, 'Cancel job'],
      delete: ['Delete this job?', `Job #${id} and its history will be removed for good.`, 'Delete job'],
    };
    if (prompts[action] && !(await confirmAction(...prompts[action]))) return;
    try {
      const result = action === 'delete' ? await api('DELETE', `jobs/${id}`) : await api('POST', `jobs/${id}/${action}`);
      const text = { ranNow: 'Due now: the next free worker runs it.', retried: 'Sent back to pending: it will run again.', cancelled: 'Cancelled: it will not run.', cancelRequested: 'Cancel requested: the running handler is being stopped.', deleted: 'Deleted.' }[result.result] || result.result;
      showResult(out, text, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- Workflows: a job's batch, parents and dependants; the Batches page and a batch's view (issue 14) ----

  const ROLES = { member: 'Member of', on_complete: 'On-complete callback of', on_success: 'On-success callback of', on_failure: 'On-failure callback of' };
  const CALLBACKS = { on_complete: 'On complete', on_success: 'On success', on_failure: 'On failure' };
  // A batch's state as a badge: running like a processing job, finished like a completed one (failed when any job did not complete).
  function batchBadge(b, state) {
    const look = state === 'running' ? 'processing' : state === 'cancelled' ? 'cancelled' : (b.failed + b.cancelled > 0 ? 'failed' : 'completed');
    return el('span', { class: `status ${look}`, text: state === 'finished' && b.failed + b.cancelled > 0 ? 'finished with failures' : state });
  }
  function batchCounts(b) {
    return `${fmtNum(b.total - b.pending)} of ${fmtNum(b.total)} finished: ${fmtNum(b.completed)} completed, ${fmtNum(b.failed)} failed, ${fmtNum(b.cancelled)} cancelled`;
  }
  function jobLinks(jobs, more, noun) {
    const items = jobs.map((j) => el('li', { 'data-key': j.id }, el('a', { href: `#/job/${j.id}`, text: `#${j.id} ${j.type}` }), ' ', statusBadge(j)));
    if (more) items.push(el('li', { 'data-key': 'more', class: 'muted', text: `and more ${noun} (the first ${jobs.length} are shown)` }));
    return items;
  }

  function renderWorkflow(wf) {
    const has = wf.batch !== null || wf.parents.length > 0 || wf.dependants.length > 0;
    $('job-workflow').hidden = !has;
    if (!has) return;
    const p = $('job-workflow-batch');
    p.hidden = wf.batch === null;
    if (wf.batch) {
      const b = wf.batch.batch;
      patchChildren(p, [document.createTextNode(`${ROLES[wf.batch.role] || wf.batch.role} `),
        el('a', { href: `#/batch/${b.id}`, text: `batch #${b.id}${b.description ? ` ${b.description}` : ''}` }),
        document.createTextNode(`: ${batchCounts(b)}${wf.batch.state === 'cancelled' ? ' (cancelled)' : ''}.`)]);
    }
    patchChildren($('job-parents'), jobLinks(wf.parents, wf.moreParents, 'parents'));
    $('job-parents-none').hidden = wf.parents.length > 0;
    patchChildren($('job-dependants'), jobLinks(wf.dependants, wf.moreDependants, 'dependants'));
    $('job-dependants-none').hidden = wf.dependants.length > 0;
  }

  async function refreshBatches() {
    const before = state.batches.before;
    const data = await api('GET', `batches${before ? `?before=${before}` : ''}`);
    if (state.route.view !== 'batches' || state.batches.before !== before) return;
    state.batches.next = data.nextBefore;
    $('batches-empty').hidden = data.batches.length > 0;
    patchChildren($('batches').tBodies[0], data.batches.map(({ batch: b, state: st }) => el('tr', { 'data-key': b.id },
      el('td', { class: 'mono' }, el('a', { href: `#/batch/${b.id}`, text: `#${b.id}` })),
      el('td', { text: b.description || '–' }),
      el('td', null, batchBadge(b, st)),
      el('td', null, el('progress', { max: Math.max(1, b.total), value: b.total - b.pending, 'aria-label': `Batch #${b.id}: ${fmtNum(b.total - b.pending)} of ${fmtNum(b.total)} finished` })),
      el('td', { class: 'num', text: fmtNum(b.total) }),
      el('td', { class: 'num', text: fmtNum(b.pending) }),
      el('td', { class: 'num', text: fmtNum(b.completed) }),
      el('td', { class: 'num', text: fmtNum(b.failed) }),
      el('td', { class: 'num', text: fmtNum(b.cancelled) }),
      el('td', { class: 'wide' }, timeEl(b.createdAt, fmtAgo(b.createdAt))))));
    $('batches-first').disabled = state.batches.history.length === 0;
    $('batches-next').disabled = !data.nextBefore;
  }

  function enterBatch() {
    if (state.batch.id !== state.route.id) {
      state.batch = { id: state.route.id, cursor: null, history: [], next: null };
      $('batch-jobs').tBodies[0].replaceChildren();
      $('batch-callbacks').tBodies[0].replaceChildren();
    }
    $('batch-title').textContent = `Batch #${state.route.id}`;
  }

  async function refreshBatch() {
    const id = state.route.id;
    const cursor = state.batch.cursor;
    let detail;
    let page;
    try {
      [detail, page] = await Promise.all([api('GET', `batches/${id}`), api('GET', `batches/${id}/jobs${cursor ? `?cursor=${cursor}` : ''}`)]);
    } catch (e) {
      if (e.status === 404) {
        $('batch-state').textContent = 'not found';
        $('batch-state').className = 'status';
        $('batch-cancel').disabled = true;
        $('batch-jobs').tBodies[0].replaceChildren();
        $('batch-callbacks').tBodies[0].replaceChildren();
        return;
      }
      throw e;
    }
    if (state.route.view !== 'batch' || state.route.id !== id || state.batch.cursor !== cursor) return;
    const b = detail.batch;
    const badge = batchBadge(b, detail.state);
    $('batch-state').textContent = badge.textContent;
    $('batch-state').className = badge.className;
    $('batch-description').textContent = b.description || 'No description.';
    $('batch-description').className = b.description ? '' : 'muted';
    $('batch-cancel').disabled = detail.state !== 'running';
    const finished = b.total - b.pending;
    $('batch-progress').max = Math.max(1, b.total);
    $('batch-progress').value = finished;
    $('batch-progress-text').textContent = `${batchCounts(b)} (${b.total === 0 ? 100 : Math.floor((finished * 100) / b.total)}%)`;
    for (const k of ['total', 'pending', 'completed', 'failed', 'cancelled']) $(`batch-${k}`).textContent = fmtNum(b[k]);
    $('batch-failed').parentElement.classList.toggle('nonzero', b.failed > 0);
    const fields = [['Created', timeAgo(b.createdAt)], ['Finished', timeAgo(b.finishedAt)]];
    if (b.cancelledAt) fields.push(['Cancelled', timeAgo(b.cancelledAt)]);
    patchChildren($('batch-fields'), fields.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', null, v)]));

    $('batch-callbacks-empty').hidden = detail.callbacks.length > 0;
    patchChildren($('batch-callbacks').tBodies[0], detail.callbacks.map((c) => el('tr', { 'data-key': c.role },
      el('td', { text: CALLBACKS[c.role] || c.role }),
      el('td', { class: 'mono' }, el('a', { href: `#/job/${c.id}`, text: `#${c.id}` })),
      el('td', { text: c.type || '–' }),
      el('td', null, c.status ? statusBadge({ status: c.status }) : el('span', { class: 'muted', text: 'deleted' })))));

    state.batch.next = page.nextCursor;
    patchChildren($('batch-jobs').tBodies[0], page.items.map((j) => el('tr', { 'data-key': j.id, 'data-id': j.id },
      el('td', { class: 'mono' }, el('a', { href: `#/job/${j.id}`, text: `#${j.id}` })),
      el('td', { text: j.type }),
      el('td', null, statusBadge(j), j.progress !== null && j.status === 'processing' ? ` ${j.progress}%` : ''),
      el('td', { class: 'num', text: `${j.attempts}/${j.maxAttempts}` }),
      el('td', { class: 'args mono wide', title: j.args, text: j.args }),
      el('td', null, j.completedAt ? timeEl(j.completedAt, fmtAgo(j.completedAt)) : el('span', { class: 'muted', text: '–' })),
      j.lastError ? el('td', { class: 'err wide', title: j.lastError, text: j.lastError }) : el('td', { class: 'wide' }))));
    $('batch-jobs-empty').hidden = page.items.length > 0;
    const n = state.batch.history.length + 1;
    const from = (n - 1) * page.pageSize + 1;
    $('batch-page-first').disabled = state.batch.history.length === 0;
    $('batch-page-prev').disabled = state.batch.history.length === 0;
    $('batch-page-next').disabled = !page.nextCursor;
    $('batch-page-info').textContent = page.items.length === 0 ? ''
      : `page ${fmtNum(n)} of ${fmtNum(Math.max(1, Math.ceil(page.total / page.pageSize)))} · ${fmtNum(from)}–${fmtNum(from + page.items.length - 1)} of ${fmtNum(page.total)}`;
  }

  async function cancelBatch() {
    const id = state.route.id;
    const out = $('batch-result');
    if (!(await confirmAction('Cancel this batch?', `Batch #${id}: its pending and waiting jobs and its callbacks will not run; its running jobs are asked to stop.`, 'Cancel batch'))) return;
    try {
      const r = await api('POST', `batches/${id}/cancel`);
      showResult(out, `Cancelled: ${fmtNum(r.batch.cancelled)} job${r.batch.cancelled === 1 ? '' : 's'} cancelled${r.batch.pending > 0 ? `, ${fmtNum(r.batch.pending)} running asked to stop` : ''}.`, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- Schedules ------------------------------------------------------------------------------------------

  // "2026-03-29T03:00:00+02:00" → "2026-03-29 03:00 +02:00"; the UTC column says UTC instead of +00:00.
  function fmtRun(iso, utc) {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
    if (!m) return iso;
    return `${m[1]} ${m[2]} ${utc ? 'UTC' : (m[3] === 'Z' ? '+00:00' : m[3])}`;
  }

  async function refreshSchedules() {
    const data = await api('GET', 'schedules');
    if (state.route.view !== 'schedules') return;
    const act = !state.session.readOnly;
    $('schedules-empty').hidden = data.schedules.length > 0;
    patchChildren($('schedules').tBodies[0], data.schedules.map((s) => {
      const local = el('td', { class: 'mono small' });
      const utc = el('td', { class: 'mono small' });
      for (const r of s.nextRuns) {
        local.append(el('div', { text: fmtRun(r.local, false) }));
        utc.append(el('div', { text: fmtRun(r.utc, true) }));
      }
      const name = el('td', { class: 'mono' }, s.name);
      name.append(el('div', { class: 'small muted', text: s.timeZone }));
      const last = el('td');
      if (s.lastJobId === null) last.append(el('span', { class: 'muted', text: 'none yet' }));
      else {
        last.append(el('a', { href: `#/job/${s.lastJobId}`, text: `#${s.lastJobId}` }), ' ');
        last.append(s.lastJobStatus ? statusBadge({ status: s.lastJobStatus }) : el('span', { class: 'muted', text: 'deleted' }));
      }
      const cells = [name, el('td', { class: 'mono', text: s.cron }), el('td', { text: s.type }),
        el('td', { class: s.enabled ? null : 'muted', text: s.enabled ? 'yes' : 'no (disabled)' }), local, utc, last];
      if (act) {
        const toggle = s.enabled ? 'disable' : 'enable';
        cells.push(el('td', null,
          el('button', { type: 'button', 'data-action': toggle, 'data-name': s.name, 'aria-label': `${s.enabled ? 'Disable' : 'Enable'}: ${s.name}`, text: s.enabled ? 'Disable' : 'Enable' }), ' ',
          el('button', { type: 'button', 'data-action': 'trigger', 'data-name': s.name, 'aria-label': `Trigger now: ${s.name}`, text: 'Trigger now' })));
      }
      return el('tr', { 'data-key': s.name }, ...cells);
    }));
  }

  async function scheduleAction(name, action) {
    const out = $('schedules-result');
    try {
      const result = await api('POST', `schedules/${encodeURIComponent(name)}/${action}`);
      const text = action === 'trigger' ? `Enqueued job #${result.id} for ${name}.` : `${name} is ${action === 'enable' ? 'enabled: it runs from its next tick' : 'disabled: no tick is enqueued'}.`;
      showResult(out, text, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- Paused queues and types ----------------------------------------------------------------------------

  async function refreshPaused() {
    const data = await api('GET', 'pauses');
    if (state.route.view !== 'paused') return;
    const act = !state.session.readOnly;
    $('paused-empty').hidden = data.pauses.length > 0;
    patchChildren($('paused').tBodies[0], data.pauses.map((p) => {
      const cells = [el('td', { text: p.scope === 'type' ? 'job type' : 'queue' }), el('td', { class: 'mono', text: p.name }),
        el('td', null, timeEl(p.pausedAt, fmtAgo(p.pausedAt)))];
      if (act) {
        cells.push(el('td', null, el('button', { type: 'button', 'data-scope': p.scope, 'data-name': p.name,
          'aria-label': `Resume ${p.scope === 'type' ? 'job type' : 'queue'} ${p.name}`, text: 'Resume' })));
      }
      return el('tr', { 'data-key': `${p.scope}:${p.name}` }, ...cells);
    }));
  }

  async function pauseAction(scope, name, action) {
    const out = $('paused-result');
    const what = `${scope === 'type' ? 'job type' : 'queue'} ${name}`;
    try {
      await api('POST', `pauses/${scope}/${encodeURIComponent(name)}/${action}`);
      showResult(out, action === 'pause' ? `Paused ${what}: its pending jobs wait until it is resumed.` : `Resumed ${what}.`, false);
      if (action === 'pause') $('pause-name').value = '';
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  // ---- Types, enqueue and maintenance ---------------------------------------------------------------------

  async function loadTypes() {
    if (state.types.length === 0) state.types = await api('GET', 'types');
    for (const id of ['filter-type', 'retryall-type']) {
      const select = $(id);
      if (select.options.length > 1) continue;
      for (const t of state.types) select.append(el('option', { value: t.kind, text: t.kind }));
    }
    const enqueue = $('enqueue-type');
    if (enqueue.options.length === 0) {
      for (const t of state.types) enqueue.append(el('option', { value: t.kind, text: t.kind }));
      fillTemplate();
    }
  }

  function fillTemplate() {
    const t = state.types.find((x) => x.kind === $('enqueue-type').value);
    if (!t) return;
    $('enqueue-payload').value = pretty(t.template);
    $('enqueue-queue').placeholder = t.queue || 'default';
    $('enqueue-priority').placeholder = t.priority ?? 0;
    $('enqueue-attempts').placeholder = t.maxAttempts ?? 'default';
  }

  // The form's own idempotency key (hidden), sent when the user gives none: submitting the same form twice (a double
  // click, a POST retried after its answer was lost) stores one job, and says so; editing the form, or opening it
  // again, makes it a new job. getRandomValues, not randomUUID: the latter needs a secure context (plain http on a LAN).
  function newFormKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    $('enqueue-form-key').value = 'dashboard-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function enqueue(ev) {
    ev.preventDefault();
    const out = $('enqueue-result');
    let payload;
    try { payload = JSON.parse($('enqueue-payload').value); } catch (e) { showResult(out, `The payload is not valid JSON: ${e.message}`, true); return; }
    const intOrNull = (id) => ($(id).value === '' ? null : Number($(id).value));
    try {
      const result = await api('POST', 'jobs', {
        type: $('enqueue-type').value, payload,
        queue: $('enqueue-queue').value || null,
        priority: intOrNull('enqueue-priority'),
        delaySeconds: intOrNull('enqueue-delay'),
        maxAttempts: intOrNull('enqueue-attempts'),
        idempotencyKey: $('enqueue-key').value || $('enqueue-form-key').value || null,
      });
      out.replaceChildren(result.existing ? 'Already enqueued with that idempotency key: ' : 'Enqueued ',
        el('a', { href: `#/job/${result.id}`, text: `job #${result.id}` }), '.');
      out.classList.remove('bad');
      out.hidden = false;
    } catch (e) {
      const field = e.problem && e.problem.field ? ` (${e.problem.field})` : '';
      showResult(out, `${e.message}${field}`, true);
    }
  }

  async function retryAll(type, out) {
    const what = type ? `failed jobs of type "${type}"` : 'all failed jobs';
    if (!(await confirmAction('Retry failed jobs?', `Send ${what} back to pending (up to ${state.session.retryAllLimit})? They will run again.`, 'Retry them'))) return;
    try {
      const r = await api('POST', 'failed/retry-all', { type: type || null });
      showResult(out, `Retried ${fmtNum(r.retried)} job${r.retried === 1 ? '' : 's'}${r.skipped ? `, skipped ${r.skipped} that changed meanwhile` : ''}${r.more ? '; more remain, click again' : ''}.`, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
    await refresh(true);
  }

  async function cleanup(ev) {
    ev.preventDefault();
    const out = $('cleanup-result');
    const hours = Number($('cleanup-hours').value);
    if (!(await confirmAction('Delete old jobs?', `Completed, failed and cancelled jobs that finished more than ${hours} hours ago will be deleted for good.`, 'Delete them'))) return;
    try {
      const r = await api('POST', 'cleanup', { olderThanHours: hours });
      showResult(out, `Deleted ${fmtNum(r.deleted)} job${r.deleted === 1 ? '' : 's'}.`, false);
    } catch (e) {
      showResult(out, e.message, true);
    }
  }

  // ---- Sign-in --------------------------------------------------------------------------------------------

  async function signIn(ev) {
    ev.preventDefault();
    const err = $('signin-error');
    err.hidden = true;
    try {
      await api('POST', 'signin', { key: $('signin-key').value });
      $('signin-key').value = '';
      await loadSession();
      applySession();
      await route();
    } catch (e) {
      err.textContent = e.status === 401 ? 'That key was not accepted.' : e.message;
      err.hidden = false;
    }
  }

  async function signOut() {
    try { await api('POST', 'signout'); } catch { /* the session is gone either way */ }
    state.types = [];
    await loadSession();
    showSignIn();
  }

  // ---- Wiring ---------------------------------------------------------------------------------------------

  function wire() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => { route(); });
    $('live').addEventListener('change', () => { if ($('live').checked) refresh(true); });
    for (const b of document.querySelectorAll('.chart-range button')) b.addEventListener('click', () => setChartRange(b.dataset.range));

    $('list-filters').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const changes = { type: $('filter-type').value, queue: $('filter-queue').value.trim(), order: $('filter-order').value === 'newest' ? '' : 'oldest', q: $('filter-q').value.trim() };
      for (const [id, key] of SEARCH_INPUTS) changes[key] = $(id).value.trim();
      navigateList(changes);
    });
    $('page-next').addEventListener('click', () => {
      if (!state.list.next) return;
      state.list.history.push(state.list.cursor);
      state.list.cursor = state.list.next;
      refresh(true);
      window.scrollTo(0, 0);
    });
    $('page-prev').addEventListener('click', () => {
      if (state.list.history.length === 0) return;
      state.list.cursor = state.list.history.pop();
      refresh(true);
    });
    $('page-first').addEventListener('click', () => {
      state.list.history = [];
      state.list.cursor = null;
      refresh(true);
    });
    $('list-table').addEventListener('change', (ev) => {
      const box = ev.target.closest('input[type=checkbox]');
      if (!box) return;
      if (box.id === 'select-page') {
        const l = state.list;
        if (l.allMatching) { l.allMatching = false; l.selected = new Set(); }
        for (const id of l.rows) { if (box.checked) l.selected.add(id); else l.selected.delete(id); }
        renderSelection();
      } else if (box.dataset.select) {
        toggleSelect(Number(box.dataset.select), box.checked);
      }
    });
    $('bulk-all').addEventListener('click', () => {
      const l = state.list;
      l.allMatching = !l.allMatching;
      if (!l.allMatching) l.selected = new Set();
      renderSelection();
    });
    $('bulk').addEventListener('click', (ev) => {
      const button = ev.target.closest('button[data-bulk]');
      if (button) bulkAction(button.dataset.bulk);
    });
    $('groups').addEventListener('click', (ev) => {
      const button = ev.target.closest('button[data-group-action]');
      if (button) groupAction(button.dataset.scope, button.dataset.name, button.dataset.groupAction);
    });
    $('menu-toggle').addEventListener('click', () => {
      const open = $('menu-toggle').getAttribute('aria-expanded') !== 'true';
      $('menu-toggle').setAttribute('aria-expanded', String(open));
      $('menu').classList.toggle('open', open);
      if (open) { const first = document.querySelector('#nav a'); if (first) first.focus(); }
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && $('menu').classList.contains('open')) { closeMenu(); $('menu-toggle').focus(); }
    });
    $('retry-all').addEventListener('click', () => retryAll(state.route.params.get('type') || '', $('list-result')));

    $('job-retry').addEventListener('click', () => jobAction('retry'));
    $('job-run-now').addEventListener('click', () => jobAction('run-now'));
    $('job-cancel').addEventListener('click', () => jobAction('cancel'));
    $('job-delete').addEventListener('click', () => jobAction('delete'));

    $('batch-cancel').addEventListener('click', cancelBatch);
    $('batches-next').addEventListener('click', () => {
      if (!state.batches.next) return;
      state.batches.history.push(state.batches.before);
      state.batches.before = state.batches.next;
      refresh(true);
    });
    $('batches-first').addEventListener('click', () => {
      state.batches = { before: null, history: [], next: null };
      refresh(true);
    });
    $('batch-page-next').addEventListener('click', () => {
      if (!state.batch.next) return;
      state.batch.history.push(state.batch.cursor);
      state.batch.cursor = state.batch.next;
      refresh(true);
    });
    $('batch-page-prev').addEventListener('click', () => {
      if (state.batch.history.length === 0) return;
      state.batch.cursor = state.batch.history.pop();
      refresh(true);
    });
    $('batch-page-first').addEventListener('click', () => {
      state.batch.history = [];
      state.batch.cursor = null;
      refresh(true);
    });

    $('enqueue-type').addEventListener('change', fillTemplate);
    $('enqueue-form').addEventListener('submit', enqueue);
    $('enqueue-form').addEventListener('input', newFormKey);
    $('retryall-form').addEventListener('submit', (ev) => { ev.preventDefault(); retryAll($('retryall-type').value, $('retryall-result')); });
    $('cleanup-form').addEventListener('submit', cleanup);
    $('schedules').addEventListener('click', (ev) => {
      const button = ev.target.closest('button[data-action]');
      if (button) scheduleAction(button.dataset.name, button.dataset.action);
    });
    $('pause-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      pauseAction($('pause-scope').value, $('pause-name').value.trim(), 'pause');
    });
    $('paused').addEventListener('click', (ev) => {
      const button = ev.target.closest('button[data-scope]');
      if (button) pauseAction(button.dataset.scope, button.dataset.name, 'resume');
    });
  }

  function prefetch() {
    state.route = parseRoute();
    if (!wasSignedIn()) return;
    const paths = state.route.view === 'overview' ? ['overview', `history?range=${state.chartRange}`, 'nodes']
      : state.route.view === 'list' ? [`jobs?${listQuery()}`] : [];
    for (const p of paths) {
      const early = send('GET', p);
      early.catch(() => { /* the view's own request reports it */ });
      prefetched.set(p, early);
    }
  }

  async function start() {
    wire();
    prefetch();
    try {
      await loadSession();
    } catch (e) {
      banner(`The dashboard's server did not answer: ${e.message}`);
      return;
    }
    if (!state.session.signedIn) { prefetched.clear(); showSignIn(); return; }
    applySession();
    await route();
    prefetched.clear();
  }

  window.LeoraDashboard = { pages, api, el, $, patchChildren, fmtNum, fmtTime, statusBadge, showResult, session: () => state.session, refresh: () => refresh(true) };
  start();
})();
