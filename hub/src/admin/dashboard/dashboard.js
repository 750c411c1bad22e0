// The dashboard's script (hub/DESIGN.md "Dashboard"). Everything it shows comes from the admin
// API with the operator's bearer token (kept in sessionStorage: this tab only), refreshed every
// few seconds; every list it asks for is bounded by a limit, every table it draws is bounded, and
// the throughput history it keeps is a fixed number of points. Data goes into the page as text
// (textContent), never as markup: dead letters carry receivers' own texts.
'use strict';

(() => {
  const TOKEN_KEY = 'slussen.admin.token';
  const REFRESH_MS = 5000;
  const OUTCOMES_EVERY = 12;         // refreshes: the outcome chart changes slowly
  const OUTCOME_DAYS = 14;
  const CASE_ROWS = 50;
  const DEAD_ROWS = 50;
  const DESTINATION_ROWS = 200;
  const THROUGHPUT_POINTS = 120;     // ten minutes at one point per refresh
  const REQUEST_TIMEOUT_MS = 15000;

  const $ = (id) => document.getElementById(id);

  let refreshTimer = null;
  let refreshing = false;
  let refreshCount = 0;
  let lastDelivered = null;          // {at: ms, total} of the previous poll
  const throughput = [];             // {at: ms, perMinute}, at most THROUGHPUT_POINTS
  let retrySeq = null;               // the delivery the retry form is about

  // ---- talking to the hub -------------------------------------------------------------------

  class Unauthorized extends Error {}
  class Forbidden extends Error {}

  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new Unauthorized('no token');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let res;
    try {
      res = await fetch(path, {
        method: options.method || 'GET',
        headers: Object.assign({'Authorization': 'Bearer ' + token},
                               options.body ? {'Content-Type': 'application/json'} : {}),
        body: options.body ? JSON.stringify(options.body) : undefined,
        cache: 'no-store',
        credentials: 'omit',
        signal: abort.signal,
      });
    } catch (e) {
      throw new Error(e.name === 'AbortError' ? 'the hub did not answer in time'
                                              : 'the hub cannot be reached');
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    const message = body && typeof body.error === 'string' ? body.error : 'HTTP ' + res.status;
    if (res.status === 401) throw new Unauthorized(message);
    if (res.status === 403) throw new Forbidden(message);
    if (!res.ok) throw new Error(message);
    return body;
  }

  // ---- small DOM helpers --------------------------------------------------------------------

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function replaceRows(table, rows) {
    const tbody = table.tBodies[0];
    const fragment = document.createDocumentFragment();
    rows.forEach((tr) => fragment.appendChild(tr));
    tbody.replaceChildren(fragment);
  }

  function panelMessage(panel, text) {
    const p = panel.querySelector('.panel-message');
    p.textContent = text || '';
    p.hidden = !text;
  }

  // Runs one panel's refresh; a 403 becomes "needs role X" in that panel, other failures a
  // message there too, so one panel's trouble never blanks the others. 401 goes up.
  async function panel(id, role, work) {
    const el = $(id);
    try {
      await work();
      panelMessage(el, '');
      el.classList.remove('forbidden');
      return true;
    } catch (e) {
      if (e instanceof Unauthorized) throw e;
      if (e instanceof Forbidden) {
        // Not a failure of the refresh: this operator may not see it, and that holds.
        el.classList.add('forbidden');
        el.querySelectorAll('tbody').forEach((t) => t.replaceChildren());
        panelMessage(el, 'needs role ' + role + ' (' + e.message + ')');
        return true;
      } else {
        panelMessage(el, 'not updated: ' + e.message);
      }
      return false;
    }
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined || seconds <= 0) return '–';
    const s = Math.floor(seconds);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  // "2026-03-30T11:59:00+02:00" -> "2026-03-30 11:59" (the hub already speaks Stockholm time).
  function when(text) {
    if (typeof text !== 'string' || text.length < 16) return text || '';
    return text.slice(0, 10) + ' ' + text.slice(11, 16);
  }

  // "showing N of M" where M is known; "the first N" where there are more than were asked for.
  function countNote(id, shown, total, more) {
    let text;
    if (total !== null) text = 'showing ' + shown + ' of ' + total;
    else if (more) text = 'showing the first ' + shown + '; there are more';
    else text = shown === 0 ? 'none' : 'showing all ' + shown;
    $(id).textContent = text;
  }

  // ---- panels -------------------------------------------------------------------------------

  async function refreshDestinations() {
    const body = await api('/api/v1/destinations');
    const all = body.destinations || [];
    const shown = all.slice(0, DESTINATION_ROWS);
    let oldest = null;
    let delivered = 0;
    let deadTotal = 0;
    let deadKnown = true;
    const rows = shown.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.destination = d.destination;
      cell(tr, d.destination, 'name');
      cell(tr, d.depth === null ? 'counting…' : d.depth, 'num depth');
      cell(tr, age(d.oldest_age_seconds), 'num oldest');
      cell(tr, d.in_flight, 'num in-flight');
      cell(tr, d.waiting_retry, 'num retrying');
      // Dead letters waiting now (the store's count; null if it could not be read).
      const dead = d.dead_letters === null || d.dead_letters === undefined ? '?' : d.dead_letters;
      cell(tr, dead, 'num dead' + (d.dead_letters > 0 ? ' bad' : ''));
      cell(tr, receiptCoverage(d.receipts), 'num receipts');
      cell(tr, d.delivered_since_start, 'num delivered');
      cell(tr, d.receivers, 'num receivers');
      cell(tr, d.paused ? 'paused' : '', 'paused' + (d.paused ? ' bad' : ''));
      cell(tr, d.maintenance_window
                   ? d.maintenance_window.name + ' until ' + when(d.maintenance_window.ends_at)
                   : '', 'window');
      return tr;
    });
    all.forEach((d) => {
      delivered += d.delivered_since_start || 0;
      if (typeof d.dead_letters === 'number') deadTotal += d.dead_letters; else deadKnown = false;
      if (d.oldest_age_seconds > 0 && (!oldest || d.oldest_age_seconds > oldest.seconds)) {
        oldest = {seconds: d.oldest_age_seconds, destination: d.destination};
      }
    });
    replaceRows($('destinations'), rows);
    countNote('destinations-count', shown.length, all.length, false);
    $('sum-oldest').textContent = oldest ? age(oldest.seconds) : '–';
    $('sum-oldest-label').textContent = oldest ? 'oldest waiting, at ' + oldest.destination
                                               : 'nothing waiting';
    // Every role sees how many dead letters wait (a count, no patient data); operators also
    // the list below.
    $('sum-dead').textContent = deadKnown ? String(deadTotal) : '?';
    $('sum-dead').parentElement.classList.toggle('alarm', deadTotal > 0);
    recordThroughput(delivered);
  }

  // The share of receipts that came in time since start: "–" where none are expected or none
  // was due yet.
  function receiptCoverage(r) {
    if (!r || typeof r.coverage !== 'number') return '–';
    return Math.round(100 * r.coverage) + ' %';
  }

  async function refreshCases() {
    // One more than shown: tells whether there are more without counting them all.
    const body = await api('/api/v1/cases?limit=' + (CASE_ROWS + 1));
    const all = body.cases || [];
    const shown = all.slice(0, CASE_ROWS);
    const rows = shown.map((c) => {
      const tr = document.createElement('tr');
      const d = c.deadline || {};
      const open = d.state === 'missed' && !d.met_late_at;
      tr.dataset.caseId = c.case_id;
      tr.className = 'state-' + (d.met_late_at ? 'met-late' : d.state || 'unknown');
      cell(tr, c.case_id, 'case');
      // 5 kap. 2 §: a kommun that placed the patient in särskilt boende pays; shown beside
      // the kommun of folkbokföring when it differs.
      const kommun = cell(tr, c.paying_kommunkod && c.paying_kommunkod !== c.kommunkod
        ? c.kommunkod + ' (pays: ' + c.paying_kommunkod + ')' : c.kommunkod);
      if (c.paying_kommunkod && c.paying_kommunkod !== c.kommunkod) {
        kommun.title = 'placed in särskilt boende by ' + c.paying_kommunkod + ', which pays (5 kap. 2 §)';
      }
      cell(tr, c.status);
      cell(tr, c.track || '');
      cell(tr, d.id);
      cell(tr, d.rule, 'rule');
      const state = cell(tr, open ? 'missed' : d.met_late_at ? 'met late' : d.state, 'state');
      if (d.met_late_at) state.title = 'met ' + when(d.met_late_at);
      cell(tr, when(d.due));
      cell(tr, c.liability_days, 'num');
      cell(tr, (c.liability_amount_kr || 0).toLocaleString('sv-SE'), 'num');
      return tr;
    });
    replaceRows($('cases'), rows);
    countNote('cases-count', shown.length, null, all.length > CASE_ROWS);
    // The hub's totals over every case, not just the rows shown.
    const totals = body.totals || {};
    const missed = totals.missed_open || 0;
    const atRisk = totals.at_risk || 0;
    $('sum-missed').textContent = String(missed);
    $('sum-at-risk').textContent = String(atRisk);
    $('sum-missed').parentElement.classList.toggle('alarm', missed > 0);
  }

  async function refreshDeadLetters() {
    const body = await api('/api/v1/deadletters?limit=' + (DEAD_ROWS + 1));
    const all = body.deadletters || [];
    const shown = all.slice(0, DEAD_ROWS);
    const rows = shown.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.seq = String(d.seq);
      cell(tr, d.seq, 'num seq');
      cell(tr, d.destination, 'destination');
      cell(tr, d.kind);
      cell(tr, d.case_id, 'case');
      cell(tr, d.attempts, 'num');
      cell(tr, when(d.dead_at));
      cell(tr, d.reason, 'reason');
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'retry';
      button.textContent = 'Retry';
      button.addEventListener('click', () => openRetry(d));
      td.appendChild(button);
      tr.appendChild(td);
      return tr;
    });
    replaceRows($('deadletters'), rows);
    const more = all.length > DEAD_ROWS;
    countNote('deadletters-count', shown.length, null, more);
  }

  async function refreshOutcomes() {
    const body = await api('/api/v1/outcomes?days=' + OUTCOME_DAYS);
    drawOutcomes(body.days || []);
  }

  // ---- charts (charts.js draws them; the history is this tab's) ---------------------------

  function recordThroughput(total) {
    const now = Date.now();
    if (lastDelivered && total >= lastDelivered.total && now > lastDelivered.at) {
      const perMinute = (total - lastDelivered.total) * 60000 / (now - lastDelivered.at);
      throughput.push({at: now, perMinute});
      while (throughput.length > THROUGHPUT_POINTS) throughput.shift();
    } else if (lastDelivered && total < lastDelivered.total) {
      throughput.length = 0;  // the hub restarted: its counters began again
    }
    lastDelivered = {at: now, total};
    drawThroughput();
  }

  function drawThroughput() {
    SlussenCharts.line($('throughput-chart'), throughput.map((p) => p.perMinute),
                       THROUGHPUT_POINTS, 'per minute',
                       'collecting: a point every ' + REFRESH_MS / 1000 + ' s');
  }

  function drawOutcomes(days) {
    SlussenCharts.outcomes($('outcomes-chart'), days);
  }

  // ---- retry of a dead letter ---------------------------------------------------------------

  function openRetry(d) {
    retrySeq = d.seq;
    $('retry-what').textContent = 'Retry delivery ' + d.seq + ' (' + d.kind + ') to ' +
                                  d.destination + '.';
    $('retry-error').textContent = '';
    $('retry-done').hidden = true;
    $('retry-form').hidden = false;
    $('retry-reason').value = '';
    $('retry-reason').focus();
  }

  function closeRetry() {
    retrySeq = null;
    $('retry-form').hidden = true;
  }

  async function submitRetry(event) {
    event.preventDefault();
    const reason = $('retry-reason').value.trim();
    if (retrySeq === null) return;
    if (!reason) {
      $('retry-error').textContent = 'say why it may go again';
      return;
    }
    const seq = retrySeq;
    $('retry-submit').disabled = true;
    $('retry-error').textContent = '';
    try {
      await api('/api/v1/deliveries/' + encodeURIComponent(seq) + '/retry',
                {method: 'POST', body: {reason}});
      closeRetry();
      $('retry-done').textContent = 'Delivery ' + seq + ' is queued again.';
      $('retry-done').hidden = false;
      await refreshNow();
    } catch (e) {
      if (e instanceof Unauthorized) return signIn('The token was not accepted: ' + e.message);
      $('retry-error').textContent =
          e instanceof Forbidden ? 'needs role operator (' + e.message + ')' : e.message;
    } finally {
      $('retry-submit').disabled = false;
    }
  }

  // ---- the refresh loop and signing in ------------------------------------------------------

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      const outcomesDue = refreshCount % OUTCOMES_EVERY === 0;
      const results = await Promise.all([
        panel('cases-panel', 'viewer', refreshCases),
        panel('destinations-panel', 'viewer', refreshDestinations),
        panel('deadletters-panel', 'operator', refreshDeadLetters),
        outcomesDue ? panel('outcomes-panel', 'viewer', refreshOutcomes) : true,
      ]);
      if (!results[3]) refreshCount = -1;  // try the outcomes again next time
      refreshCount++;
      const ok = results.every((r) => r);
      // Stockholm time, as the hub gives every time it sends.
      const at = new Date().toLocaleTimeString('sv-SE', {timeZone: 'Europe/Stockholm'});
      $('status').textContent = (ok ? 'updated ' : 'partly updated ') + at +
                                ' · every ' + REFRESH_MS / 1000 + ' s';
      $('status').classList.toggle('stale', !ok);
    } catch (e) {
      if (e instanceof Unauthorized) {
        signIn(sessionStorage.getItem(TOKEN_KEY) ? 'The token was not accepted: ' + e.message
                                                 : '');
      } else {
        $('status').textContent = 'not updated: ' + e.message;
        $('status').classList.add('stale');
      }
    } finally {
      refreshing = false;
    }
  }

  async function refreshNow() {
    clearTimeout(refreshTimer);
    await refresh();
    schedule();
  }

  function schedule() {
    clearTimeout(refreshTimer);
    if (sessionStorage.getItem(TOKEN_KEY)) {
      refreshTimer = setTimeout(async () => { await refresh(); schedule(); }, REFRESH_MS);
    }
  }

  // Nothing one operator saw stays in the page for the next.
  function clearPage() {
    document.querySelectorAll('main tbody, .chart').forEach((el) => el.replaceChildren());
    document.querySelectorAll('.tile .figure').forEach((el) => { el.textContent = '–'; });
    document.querySelectorAll('.note[id]').forEach((el) => { el.textContent = ''; });
    document.querySelectorAll('.panel').forEach((el) => panelMessage(el, ''));
    $('retry-done').hidden = true;
    closeRetry();
  }

  function signIn(message) {
    clearTimeout(refreshTimer);
    sessionStorage.removeItem(TOKEN_KEY);
    clearPage();
    $('main').hidden = true;
    $('sign-out').hidden = true;
    $('login').hidden = false;
    if (message) $('login-message').textContent = message;
    $('status').textContent = 'not signed in';
    $('token').value = '';
    $('token').focus();
  }

  function start() {
    $('login').hidden = true;
    $('main').hidden = false;
    $('sign-out').hidden = false;
    $('status').textContent = 'loading…';
    refreshCount = 0;
    lastDelivered = null;
    throughput.length = 0;
    drawThroughput();
    refreshNow();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token').value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      start();
    });
    $('sign-out').addEventListener('click', () => signIn('Signed out.'));
    $('retry-form').addEventListener('submit', submitRetry);
    $('retry-cancel').addEventListener('click', closeRetry);
    if (sessionStorage.getItem(TOKEN_KEY)) start(); else signIn('');
  });
})();
