// Leora Jobs dashboard: the Alerts page (issue 13). Its own file; app.js routes #/alerts here and lends its helpers.
// Same rule as app.js: data reaches the page only through textContent and plain attributes, never as markup.
'use strict';

(() => {
  const d = window.LeoraDashboard;
  const { $, el } = d;

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    if (seconds >= 3600) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
    if (seconds >= 60) return `${(seconds / 60).toFixed(1).replace(/\.0$/, '')} min`;
    return `${Math.round(seconds)} s`;
  }

  async function refresh() {
    const data = await d.api('GET', 'alerts');
    if (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] !== 'alerts') return;
    const act = !d.session().readOnly;
    $('alerts-summary').textContent = !data.enabled
      ? 'Notifications are not set up in this service (Jobs:Notifications).'
      : `${data.channels.length} channel(s), ${data.rules.length} rule(s). At most one message per rule and channel every ${duration(data.quietPeriodSeconds)}; the rest wait in a digest. Last evaluated: ${d.fmtTime(data.evaluatedAt)}.`;

    $('alert-rules-empty').hidden = data.rules.length > 0;
    d.patchChildren($('alert-rules').tBodies[0], data.rules.map((r) => el('tr', { 'data-key': r.name },
      el('td', { class: 'mono', text: r.name }),
      el('td', { text: r.kind }),
      el('td', null, el('span', { class: `status ${r.state === 'firing' ? 'failed' : 'completed'}`, text: r.state })),
      el('td', { text: d.fmtTime(r.since) }),
      el('td', { class: 'small', text: r.detail || '–' }),
      el('td', { class: 'mono', text: r.channels.join(', ') }))));

    $('alert-channels-empty').hidden = data.channels.length > 0;
    d.patchChildren($('alert-channels').tBodies[0], data.channels.map((c) => {
      const cells = [el('td', { class: 'mono', text: c.name }), el('td', { text: c.kind })];
      if (act) {
        cells.push(el('td', null, el('button', {
          type: 'button', 'data-channel': c.name, 'aria-label': `Send a test message: ${c.name}`, text: 'Send a test message',
        })));
      }
      return el('tr', { 'data-key': c.name }, ...cells);
    }));

    $('alert-messages-empty').hidden = data.messages.length > 0;
    d.patchChildren($('alert-messages').tBodies[0], data.messages.map((m) => el('tr', { 'data-key': String(m.id) },
      el('td', { class: 'mono' }, el('a', { href: `#/job/${m.id}`, text: `#${m.id}` })),
      el('td', null, d.statusBadge({ status: m.status })),
      el('td', { class: 'mono', text: m.channel || '–' }),
      el('td', { text: m.title || m.event || '–' }),
      el('td', { text: d.fmtNum(m.attempts) }),
      el('td', { text: d.fmtTime(m.createdAt) }),
      el('td', { class: 'small', text: m.lastError || '' }))));
  }

  async function sendTest(channel) {
    const out = $('alerts-result');
    try {
      const result = await d.api('POST', `alerts/channels/${encodeURIComponent(channel)}/test`);
      d.showResult(out, `Test message enqueued on ${channel} as job #${result.id}.`, false);
    } catch (e) {
      d.showResult(out, e.message, true);
    }
    await d.refresh();
  }

  $('alert-channels').addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-channel]');
    if (button) sendTest(button.dataset.channel);
  });

  d.pages.alerts = { refresh };
})();
