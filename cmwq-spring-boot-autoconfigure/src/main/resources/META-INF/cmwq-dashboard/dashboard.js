/*
 * cmwq dashboard: reads the workqueues actuator endpoint every refresh interval and shows
 *   - the system: frozen or not, each CPU online or offline (with freeze/thaw and CPU buttons where the
 *     endpoint's write operations exist),
 *   - each worker pool: its numbers now and a chart (with a legend) of busy, idle, rogue, running, blocked and
 *     pending workers over the last minutes, and for a bound pool its running target of one: concurrency
 *     management at work shows as a blocked worker and another one running, and as the pool's wake-ups per
 *     second; offline pools are dashed, stalled ones (watchdog) red,
 *   - concurrency-management wake-ups per second, of all workqueues and of each,
 *   - each workqueue: flags, max active, active, pending, capacity and overflow policy, and its statistics
 *     (a full queue and one that rejected queueings are marked),
 *   - each durable workqueue, where the durableworkqueues endpoint is exposed too: its stored backlog and dead letters
 *     (all instances), the claims of each instance, and what this instance holds and has done (retries among them).
 *     Where that endpoint is not exposed the section stays hidden; where it cannot be read, the section says why and
 *     the rest of the page goes on.
 * Where it is: config.json, served beside this file, tells the endpoint's path or URL (it may be on another port, the
 * management port), whether it can be written to, and the durable endpoint's path (null where it is not exposed).
 * Actions are POSTs to the endpoint with a JSON body ({} and Content-Type: application/json, which no cross-site form
 * can send) and, where the application protects against CSRF with Spring Security, its token in its header (from
 * config.json; see csrfPost). A 401 asks for HTTP Basic credentials (kept in this page's memory only); a redirect
 * (to a login page) says to sign in there; a refused action shows the endpoint's {"error": "..."} text.
 */
(function () {
  'use strict';

  const SERIES = [
    { key: 'busy', color: '#ea580c' },
    { key: 'idle', color: '#9ca3af' },
    { key: 'rogue', color: '#dc2626' },
    { key: 'running', color: '#16a34a' },
    { key: 'blocked', color: '#7c3aed' },
    { key: 'pending', color: '#2563eb' },
  ];

  // a bound pool starts an item only while none of its workers counts as running
  const RUNNING_TARGET = 1;

  // rates are taken over this window, so a burst stays visible for a while
  const RATE_WINDOW_MILLIS = 10000;

  const STATS = ['started', 'completed', 'failed', 'cancelled', 'rejected', 'cpuTimeMs', 'cpuIntensive', 'cmWakeups',
    'mayday', 'rescued'];

  // the columns of the workqueue table after name and flags, in order; all numeric but overflow
  const COLUMNS = ['maxActive', 'active', 'pending', 'capacity', 'overflow', 'rate', 'started', 'completed', 'failed',
    'cancelled', 'rejected', 'cpuTimeMs', 'cpuIntensive', 'cmWakeups', 'cmWakeupsRate', 'mayday', 'rescued'];

  // the columns of the durable table after the workqueue's name, in order; all numeric but claims
  const DURABLE_COLUMNS = ['backlog', 'dead', 'claims', 'held', 'unstarted', 'stored', 'claimed', 'completed',
    'retried', 'released', 'lost'];

  // of those, the ones read from the endpoint's per-instance event counts
  const DURABLE_EVENTS = ['stored', 'claimed', 'completed', 'retried', 'released', 'lost'];

  const state = {
    config: null,
    credentials: null,      // "Basic ..." once the user signed in
    csrf: null,             // {header, token} from config.json where Spring Security protects against CSRF
    user: null,
    maxPoints: 300,
    charts: new Map(),       // pool id -> Chart
    lastCompleted: new Map(), // queue name -> {completed, at}
    wakeups: new Map(),      // queue name -> [{count, at}] over the rate window
    poolWakeups: new Map(),  // pool id -> [{count, at}] over the rate window
    acting: false,
    readDeclined: false,     // the user cancelled signing in for reading
    frozen: false,
    messageTimer: null,
    durableInFlight: false,  // a read of the durable endpoint is under way
  };

  const $ = (selector, root) => (root || document).querySelector(selector);

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (name === 'text') {
        node.textContent = value;
      } else if (name === 'class') {
        node.className = value;
      } else {
        node.setAttribute(name, value);
      }
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  // ---- start ------------------------------------------------------------------------------------------

  async function start() {
    wireStaticControls();
    try {
      const response = await fetch('config.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      state.config = await response.json();
    } catch (e) {
      setConnection('error', 'no configuration');
      showMessage('error', 'The dashboard could not read its configuration (config.json): ' + e.message);
      return;
    }
    const config = state.config;
    state.csrf = config.csrf || null;
    config.endpoint = String(config.endpoint || '').replace(/\/+$/, ''); // a path or a URL (management port)
    state.maxPoints = Math.max(10, Math.round((config.historySeconds * 1000) / config.refreshMillis));
    $('#history-minutes').textContent = formatMinutes(config.historySeconds);
    document.body.dataset.write = String(config.write);
    document.querySelectorAll('.write-only').forEach((node) => { node.hidden = !config.write; });
    if (!config.available) {
      setConnection('error', 'endpoint not available');
      // config.json says why (not exposed, or on the management port) and what to do
      showMessage('error', config.message || ('The workqueues actuator endpoint is not exposed over HTTP: add '
        + '"workqueues" to management.endpoints.web.exposure.include.'));
      return;
    }
    if (!config.chartLibrary || typeof window.Chart === 'undefined') {
      showMessage('info', 'Chart.js is not available: showing numbers without charts.');
    }
    poll();
  }

  function formatMinutes(seconds) {
    const minutes = seconds / 60;
    return Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(1);
  }

  function wireStaticControls() {
    $('#freeze').addEventListener('click', () => act('freeze', 'Freeze'));
    $('#thaw').addEventListener('click', () => act('thaw', 'Thaw'));
    $('#sign-out').addEventListener('click', () => {
      state.credentials = null;
      state.user = null;
      showUser();
      showMessage('info', 'Signed out.');
    });
    $('#login-cancel').addEventListener('click', () => closeLogin(false));
    $('#login').addEventListener('cancel', (event) => { event.preventDefault(); closeLogin(false); });
    $('#login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const user = $('#login-username').value;
      const password = $('#login-password').value;
      state.user = user;
      state.credentials = 'Basic ' + btoa(unescape(encodeURIComponent(user + ':' + password)));
      $('#login-password').value = '';
      showUser();
      closeLogin(true);
    });
  }

  // ---- reading ----------------------------------------------------------------------------------------

  function headers() {
    // X-Requested-With: Spring Security then answers 401 without WWW-Authenticate, so the browser shows
    // no login box of its own and the page asks instead
    const result = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
    if (state.credentials) {
      result.Authorization = state.credentials;
    }
    return result;
  }

  async function poll() {
    try {
      await refresh();
    } finally {
      setTimeout(poll, state.config.refreshMillis);
    }
  }

  async function refresh() {
    let response;
    try {
      response = await fetch(state.config.endpoint, { cache: 'no-store', headers: headers() });
    } catch (e) {
      setConnection('error', 'offline');
      return;
    }
    if (response.status === 401) {
      setConnection('error', 'sign in to read');
      if (!loginOpen() && !state.acting && !state.readDeclined) {
        const signedIn = await askCredentials('The workqueues endpoint asks for credentials to read.');
        if (!signedIn) {
          state.readDeclined = true; // ask no more on every refresh; reload the page to sign in
          showMessage('error', 'Reading the workqueues endpoint needs credentials: reload the page to sign in.');
        }
      }
      return;
    }
    if (!response.ok) {
      setConnection('error', 'HTTP ' + response.status);
      return;
    }
    let snapshot;
    try {
      snapshot = await response.json();
    } catch (e) {
      setConnection('error', 'bad answer');
      return;
    }
    setConnection('live', 'live');
    $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString([], { hour12: false });
    render(snapshot);
    if (state.config.durableEndpoint && !state.durableInFlight) {
      // not awaited: a slow durable endpoint (a slow database) must not hold up the rest of the page
      state.durableInFlight = true;
      refreshDurable().finally(() => { state.durableInFlight = false; });
    }
  }

  // the durable section: a failure here is shown in the section only, the rest of the page goes on
  async function refreshDurable() {
    $('#durable-section').hidden = false;
    let response;
    try {
      response = await fetch(state.config.durableEndpoint, { cache: 'no-store', headers: headers(),
        signal: AbortSignal.timeout(Math.max(5000, 5 * state.config.refreshMillis)) });
    } catch (e) {
      showDurableProblem('cannot be reached');
      return;
    }
    if (!response.ok) {
      showDurableProblem('answered HTTP ' + response.status);
      return;
    }
    let body;
    try {
      body = await response.json();
    } catch (e) {
      showDurableProblem('gave an answer that is not JSON');
      return;
    }
    $('#durable-status').hidden = true;
    $('#durable').classList.remove('stale');
    renderDurable(body);
  }

  function showDurableProblem(what) {
    const status = $('#durable-status');
    status.textContent = 'The durableworkqueues endpoint (' + state.config.durableEndpoint + ') ' + what
      + (document.querySelector('#durable tbody tr') ? ': the numbers below are from its last answer.' : '.');
    status.hidden = false;
    $('#durable').classList.add('stale');
  }

  function setConnection(kind, text) {
    const pill = $('#connection');
    pill.className = 'pill ' + kind;
    pill.textContent = text;
  }

  // ---- rendering --------------------------------------------------------------------------------------

  function render(snapshot) {
    const label = new Date().toLocaleTimeString([], { hour12: false });
    const now = performance.now();
    renderSystem(snapshot);
    (snapshot.pools || []).forEach((pool) => renderPool(pool, label, now));
    renderQueues(snapshot.workqueues || [], snapshot.frozen);
    renderWakeups(snapshot.workqueues || [], now);
  }

  // concurrency-management wake-ups per second over the rate window: of each queue, and of all of them
  function renderWakeups(queues, now) {
    let total = 0;
    queues.forEach((queue) => {
      const rate = ratePerSecond(state.wakeups, queue.name, (queue.stats || {}).cmWakeups || 0, now);
      total += rate;
      const row = document.querySelector('#queues tbody tr[data-queue="' + CSS.escape(queue.name) + '"]');
      if (row) {
        setCell(row, 'cmWakeupsRate', rate.toFixed(1), rate > 0);
      }
    });
    const card = $('#cm-wakeups-rate');
    card.textContent = total.toFixed(1);
    card.classList.toggle('hot', total > 0);
    for (const name of state.wakeups.keys()) {
      if (!queues.some((queue) => queue.name === name)) {
        state.wakeups.delete(name);
      }
    }
  }

  // the per-second rate over the rate window of a growing count, from its history in histories under key
  function ratePerSecond(histories, key, count, now) {
    const history = histories.get(key) || [];
    history.push({ count: count, at: now });
    while (history.length > 2 && now - history[1].at >= RATE_WINDOW_MILLIS) {
      history.shift();
    }
    histories.set(key, history);
    const oldest = history[0];
    return now > oldest.at ? Math.max(0, ((count - oldest.count) * 1000) / (now - oldest.at)) : 0;
  }

  function renderSystem(snapshot) {
    state.frozen = !!snapshot.frozen;
    const frozen = $('#frozen-state');
    frozen.textContent = state.frozen ? 'frozen' : 'running';
    frozen.classList.toggle('frozen', state.frozen);
    document.body.dataset.frozen = String(state.frozen);
    updateActionButtons();

    const cpus = snapshot.cpus || [];
    const online = cpus.filter((cpu) => cpu.online).length;
    $('#cpus-online').textContent = online + ' / ' + cpus.length;
    const container = $('#cpus');
    cpus.forEach((cpu) => {
      let card = $('#cpu-' + cpu.cpu);
      if (!card) {
        card = el('div', { id: 'cpu-' + cpu.cpu, class: 'card cpu', 'data-cpu': cpu.cpu }, [
          el('div', { class: 'label', text: 'CPU ' + cpu.cpu }),
          el('div', { class: 'value', 'data-field': 'state' }),
          el('div', { class: 'actions write-only' }, [
            el('button', { type: 'button', 'data-cpu-action': 'toggle', 'data-cpu': cpu.cpu }),
          ]),
        ]);
        $('.write-only', card).hidden = !state.config.write;
        $('button', card).addEventListener('click', (event) => {
          const target = event.currentTarget.dataset.next;
          act('cpus/' + cpu.cpu + '/' + target, (target === 'offline' ? 'Take CPU ' : 'Bring CPU ') + cpu.cpu
            + (target === 'offline' ? ' offline' : ' online'));
        });
        container.append(card);
      }
      card.dataset.online = String(cpu.online);
      card.classList.toggle('online', cpu.online);
      card.classList.toggle('offline', !cpu.online);
      $('[data-field=state]', card).textContent = cpu.online ? 'online' : 'offline';
      const button = $('button', card);
      button.dataset.next = cpu.online ? 'offline' : 'online';
      button.dataset.cpuAction = button.dataset.next;
      button.textContent = cpu.online ? 'Take offline' : 'Bring online';
    });
  }

  function updateActionButtons() {
    $('#freeze').disabled = state.acting || state.frozen;
    $('#thaw').disabled = state.acting || !state.frozen;
    document.querySelectorAll('button[data-cpu]').forEach((button) => { button.disabled = state.acting; });
  }

  function renderPool(pool, label, now) {
    let card = document.getElementById('pool-' + pool.id);
    if (!card) {
      card = createPoolCard(pool);
      $('#pools').append(card);
    }
    const stalled = !!pool.stalled;
    card.dataset.online = String(pool.online);
    card.dataset.stalled = String(stalled);
    card.classList.toggle('offline', !pool.online);
    card.classList.toggle('stalled', stalled);
    $('.badge.offline', card).hidden = pool.online;
    $('.badge.stalled', card).hidden = !stalled;
    $('[data-field=workers]', card).textContent = pool.workers;
    SERIES.forEach((series) => { $('[data-field=' + series.key + ']', card).textContent = value(pool, series.key); });
    if (bound(pool)) {
      card.classList.toggle('over-target', pool.running > RUNNING_TARGET);
    }
    const wakeups = ratePerSecond(state.poolWakeups, pool.id, value(pool, 'cmWakeups'), now);
    const wakeupsCell = $('[data-field=cmWakeupsRate]', card);
    wakeupsCell.textContent = wakeups.toFixed(1);
    wakeupsCell.classList.toggle('hot', wakeups > 0);
    const chart = state.charts.get(pool.id);
    if (chart) {
      chart.data.labels.push(label);
      chart.data.datasets.forEach((dataset) => {
        dataset.data.push(dataset.key === 'target' ? RUNNING_TARGET : value(pool, dataset.key));
      });
      while (chart.data.labels.length > state.maxPoints) {
        chart.data.labels.shift();
        chart.data.datasets.forEach((dataset) => dataset.data.shift());
      }
      chart.update('none');
      card.dataset.points = String(chart.data.labels.length);
    }
  }

  // blocked and cmWakeups appear in the endpoint's pool JSON with engines that report them; 0 where missing
  function value(pool, key) {
    return pool[key] === undefined || pool[key] === null ? 0 : pool[key];
  }

  function bound(pool) {
    return pool.kind !== 'unbound';
  }

  function createPoolCard(pool) {
    const kind = pool.kind + (pool.cpu === null || pool.cpu === undefined ? '' : ' · CPU ' + pool.cpu);
    const numbers = el('div', { class: 'numbers' }, [
      el('span', { class: 'n-workers' }, ['workers ', el('b', { 'data-field': 'workers' })]),
    ]);
    SERIES.forEach((series) => {
      const number = el('span', { class: 'n-' + series.key }, [series.key + ' ', el('b', { 'data-field': series.key })]);
      if (series.key === 'running' && bound(pool)) {
        number.append(el('span', { class: 'target', 'data-field': 'target', text: ' / target ' + RUNNING_TARGET }));
      }
      numbers.append(number);
    });
    numbers.append(el('span', {
      class: 'n-cmWakeupsRate',
      title: 'times per second concurrency management started another worker because a worker of this pool blocked',
    }, ['cm wake-ups/s ', el('b', { 'data-field': 'cmWakeupsRate' })]));
    const card = el('div', { id: 'pool-' + pool.id, class: 'card pool', 'data-pool': pool.id }, [
      el('h3', {}, [
        el('span', { text: pool.id }),
        el('span', { class: 'kind', text: kind }),
        el('span', { class: 'badge offline', text: 'offline', hidden: '' }),
        el('span', { class: 'badge stalled', text: 'stalled', title: 'the watchdog sees pending items and no progress', hidden: '' }),
      ]),
      numbers,
    ]);
    if (state.config.chartLibrary && typeof window.Chart !== 'undefined') {
      const canvas = el('canvas', { 'aria-label': 'history of pool ' + pool.id, role: 'img' });
      card.append(el('div', { class: 'chart' }, [canvas]));
      state.charts.set(pool.id, newChart(canvas, bound(pool)));
    } else {
      card.append(el('div', { class: 'nochart', text: 'no chart library' }));
    }
    return card;
  }

  function newChart(canvas, withTarget) {
    const datasets = SERIES.map((series) => ({
      key: series.key,
      label: series.key,
      data: [],
      borderColor: series.color,
      backgroundColor: series.color,
      borderWidth: 1.5,
      pointRadius: 0,
      tension: 0,
    }));
    if (withTarget) {
      datasets.push({
        key: 'target',
        label: 'running target',
        data: [],
        borderColor: '#16a34a',
        backgroundColor: '#16a34a',
        borderDash: [4, 4],
        borderWidth: 1,
        pointRadius: 0,
        tension: 0,
      });
    }
    return new window.Chart(canvas, {
      type: 'line',
      data: { labels: [], datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: true, position: 'bottom', labels: { boxWidth: 10, boxHeight: 2, padding: 6, font: { size: 10 } } },
        },
        scales: {
          x: { ticks: { maxTicksLimit: 4, maxRotation: 0, font: { size: 10 } }, grid: { display: false } },
          y: { beginAtZero: true, suggestedMax: 2, ticks: { precision: 0, font: { size: 10 } } },
        },
      },
    });
  }

  function renderQueues(queues, frozen) {
    const body = $('#queues tbody');
    const now = performance.now();
    const seen = new Set();
    queues.forEach((queue) => {
      seen.add(queue.name);
      let row = body.querySelector('tr[data-queue="' + CSS.escape(queue.name) + '"]');
      if (!row) {
        row = el('tr', { 'data-queue': queue.name });
        row.append(el('td', { class: 'name', text: queue.name }));
        const flags = el('td', { 'data-field': 'flags' });
        (queue.flags || []).forEach((flag) => flags.append(el('span', { class: 'flag ' + flag, text: flag })));
        if (queue.ordered) {
          flags.append(el('span', { class: 'flag ordered', text: 'ordered' }));
        }
        row.append(flags);
        COLUMNS.forEach((field) => {
          row.append(el('td', { class: field === 'overflow' ? '' : 'num', 'data-field': field }));
        });
        body.append(row);
      }
      const stats = queue.stats || {};
      const previous = state.lastCompleted.get(queue.name);
      let rate = '';
      if (previous && now > previous.at) {
        rate = Math.max(0, ((stats.completed - previous.completed) * 1000) / (now - previous.at)).toFixed(1);
      }
      state.lastCompleted.set(queue.name, { completed: stats.completed, at: now });
      setCell(row, 'maxActive', queue.maxActive);
      setCell(row, 'active', queue.active, queue.active > 0);
      setCell(row, 'pending', queue.pending, queue.pending > 0);
      const bounded = queue.capacity !== null && queue.capacity !== undefined;
      const full = bounded && queue.pending >= queue.capacity;
      setCell(row, 'capacity', bounded ? queue.capacity : 'unbounded');
      row.querySelector('[data-field=capacity]').classList.toggle('alert', full);
      setCell(row, 'overflow', bounded ? overflowText(queue) : '–');
      row.querySelector('[data-field=overflow]').title = bounded ? '' : 'never applies: the queue is unbounded';
      setCell(row, 'rate', rate);
      STATS.forEach((field) => setCell(row, field, stats[field]));
      row.querySelector('[data-field=rejected]').classList.toggle('alert', stats.rejected > 0);
      row.classList.toggle('busy', queue.active > 0);
      row.classList.toggle('full', full);
      row.classList.toggle('held', !!frozen && (queue.flags || []).includes('freezable') && queue.pending > 0);
    });
    body.querySelectorAll('tr[data-queue]').forEach((row) => {
      if (!seen.has(row.dataset.queue)) {
        row.remove();
      }
    });
  }

  // reject, caller-runs, or block with how long a caller waits for room
  function overflowText(queue) {
    if (queue.overflow !== 'block') {
      return queue.overflow;
    }
    const millis = queue.overflowTimeoutMs;
    return 'block ' + (millis % 1000 === 0 ? (millis / 1000) + ' s' : millis + ' ms');
  }

  function renderDurable(body) {
    const instance = body.instance || '';
    $('#durable-instance').textContent = instance ? 'this instance: ' + instance : '';
    const tbody = $('#durable tbody');
    const seen = new Set();
    (body.workqueues || []).forEach((queue) => {
      seen.add(queue.workqueue);
      let row = tbody.querySelector('tr[data-durable="' + CSS.escape(queue.workqueue) + '"]');
      if (!row) {
        row = el('tr', { 'data-durable': queue.workqueue }, [el('td', { class: 'name', text: queue.workqueue })]);
        DURABLE_COLUMNS.forEach((field) => {
          row.append(el('td', { class: field === 'claims' ? 'claims' : 'num', 'data-field': field }));
        });
        tbody.append(row);
      }
      const events = queue.events || {};
      setCell(row, 'backlog', queue.backlog, queue.backlog > 0);
      setCell(row, 'dead', queue.dead);
      row.querySelector('[data-field=dead]').classList.toggle('alert', queue.dead > 0);
      renderClaims(row.querySelector('[data-field=claims]'), queue.claims || {}, instance);
      setCell(row, 'held', queue.held, queue.held > 0);
      setCell(row, 'unstarted', queue.unstarted);
      DURABLE_EVENTS.forEach((event) => setCell(row, event, events[event]));
    });
    tbody.querySelectorAll('tr[data-durable]').forEach((row) => {
      if (!seen.has(row.dataset.durable)) {
        row.remove();
      }
    });
  }

  // one entry per instance with live claims, this instance first
  function renderClaims(cell, claims, instance) {
    const instances = Object.keys(claims).sort((a, b) => (b === instance) - (a === instance) || a.localeCompare(b));
    cell.replaceChildren(...instances.map((id) => el('span', {
      class: 'claim' + (id === instance ? ' self' : ''),
      'data-instance': id,
      title: id === instance ? 'this instance' : 'another instance',
    }, [id + ' ', el('b', { text: String(claims[id]) })])));
    if (instances.length === 0) {
      cell.textContent = '–';
    }
  }

  function setCell(row, field, value, hot) {
    const cell = row.querySelector('[data-field=' + field + ']');
    cell.textContent = value === undefined || value === null ? '' : String(value);
    cell.classList.toggle('hot', !!hot);
  }

  // ---- acting -----------------------------------------------------------------------------------------

  function post(path, csrf) {
    const requestHeaders = headers();
    requestHeaders['Content-Type'] = 'application/json';
    if (csrf) {
      requestHeaders[csrf.header] = csrf.token;
    }
    // manual: a login page's redirect is not followed (it would answer 200 with a page, not the endpoint's JSON)
    return fetch(state.config.endpoint + '/' + path,
      { method: 'POST', cache: 'no-store', headers: requestHeaders, body: '{}', redirect: 'manual' });
  }

  // A POST with the CSRF token. A 403 changed nothing, so it is tried again with fresher candidates: the token
  // config.json gives now (the one the page had is stale once the session changed, e.g. after signing in), then the
  // raw token of a readable XSRF-TOKEN cookie (Spring Security's csrf.spa() wants that one in X-XSRF-TOKEN). A
  // refusal that is not about the token (a user without the role) stays a 403.
  async function csrfPost(path) {
    let response = await post(path, state.csrf);
    if (response.status !== 403) {
      return response;
    }
    const tried = new Set([state.csrf ? state.csrf.token : null]);
    for (const csrf of await csrfCandidates()) {
      if (tried.has(csrf.token)) {
        continue;
      }
      tried.add(csrf.token);
      response = await post(path, csrf);
      if (response.status !== 403) {
        state.csrf = csrf;
        break;
      }
    }
    return response;
  }

  async function csrfCandidates() {
    const candidates = [];
    try {
      const response = await fetch('config.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
      const config = response.ok ? await response.json() : null;
      if (config && config.csrf) {
        candidates.push(config.csrf);
      }
    } catch (e) {
      // no fresher token from here
    }
    const cookie = document.cookie.split('; ').find((entry) => entry.startsWith('XSRF-TOKEN='));
    if (cookie) {
      candidates.push({ header: 'X-XSRF-TOKEN', token: decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) });
    }
    return candidates;
  }

  async function act(path, label) {
    if (state.acting) {
      return;
    }
    state.acting = true;
    updateActionButtons();
    try {
      let response = await csrfPost(path);
      let attempt = 0;
      while (response.status === 401) {
        state.credentials = null;
        state.user = null;
        showUser();
        const reason = attempt === 0
          ? 'The workqueues endpoint asks for credentials to ' + label.charAt(0).toLowerCase() + label.slice(1) + '.'
          : 'Those credentials were not accepted. Try again.';
        const signedIn = await askCredentials(reason);
        if (!signedIn) {
          showMessage('error', label + ' refused (401): sign in to change workqueues.');
          return;
        }
        attempt++;
        response = await csrfPost(path);
      }
      if (response.type === 'opaqueredirect') {
        showMessage('error', label + ' refused: the application redirects to its sign-in page. Sign in there, '
          + 'then open this page again.');
        return;
      }
      const body = await readJson(response);
      if (!response.ok) {
        showMessage('error', label + ' refused (' + response.status + '): ' + errorText(response, body));
        return;
      }
      showMessage('info', successText(path, label, body));
    } catch (e) {
      showMessage('error', label + ' failed: ' + e.message);
    } finally {
      state.acting = false;
      updateActionButtons();
      refresh();
    }
  }

  async function readJson(response) {
    try {
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    } catch (e) {
      return null;
    }
  }

  function errorText(response, body) {
    let text = body && typeof body.error === 'string' ? body.error : (response.statusText || 'HTTP ' + response.status);
    if (response.status === 403) {
      text += ': ' + (state.user ? 'user "' + state.user + '"' : 'this user') + ' may not change workqueues';
    }
    return text;
  }

  function successText(path, label, body) {
    if (path === 'freeze') {
      const busy = body && typeof body.busy === 'number' ? body.busy : 0;
      return busy > 0
        ? 'Frozen: freezable workqueues start nothing new; ' + busy + ' item(s) still finishing.'
        : 'Frozen: freezable workqueues start nothing new.';
    }
    if (path === 'thaw') {
      return 'Thawed: held items run in order.';
    }
    if (body && typeof body.cpu === 'number') {
      return 'CPU ' + body.cpu + ' is ' + (body.online ? 'online' : 'offline') + '.';
    }
    return label + ': done.';
  }

  // ---- messages and sign-in ---------------------------------------------------------------------------

  function showMessage(kind, text) {
    const box = $('#message');
    clearTimeout(state.messageTimer);
    box.replaceChildren(
      el('span', { id: 'message-text', text: text }),
      el('button', { type: 'button', 'aria-label': 'dismiss', text: '×' }));
    $('button', box).addEventListener('click', () => { box.hidden = true; });
    box.className = kind;
    box.dataset.kind = kind;
    box.hidden = false;
    if (kind === 'info') {
      state.messageTimer = setTimeout(() => { box.hidden = true; }, 20000);
    }
  }

  function showUser() {
    $('#user').hidden = !state.user;
    $('#user').textContent = state.user ? 'signed in as ' + state.user : '';
    $('#sign-out').hidden = !state.user;
  }

  let loginResolve = null;

  function loginOpen() {
    return $('#login').open;
  }

  function askCredentials(reason) {
    $('#login-reason').textContent = reason;
    const dialog = $('#login');
    if (!dialog.open) {
      dialog.showModal();
    }
    $('#login-username').focus();
    return new Promise((resolve) => { loginResolve = resolve; });
  }

  function closeLogin(signedIn) {
    const dialog = $('#login');
    if (dialog.open) {
      dialog.close();
    }
    const resolve = loginResolve;
    loginResolve = null;
    if (resolve) {
      resolve(signedIn);
    }
  }

  document.addEventListener('DOMContentLoaded', start);
}());
