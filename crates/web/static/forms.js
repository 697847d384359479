// What a person typed is never lost to an ended session or an outdated form. Each form sent is
// remembered in this tab (sessionStorage; never a password or the CSRF token). When the answer
// says the form was not taken (the page carries data-keep-draft), the draft is kept, and the
// next time its page is shown — after the login, or on going back — it is put back into the same
// form, with a note to check it and send it again — for the same person only. Any other answer
// drops it: a refused form comes back from the server with what was typed, and a saved one needs
// nothing.
(function () {
  'use strict';
  const KEY = 'klade-drafts';
  const KEEP_MS = 30 * 60 * 1000;
  const load = () => {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || '{}');
    } catch (e) {
      return {};
    }
  };
  const store = (d) => {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(d));
    } catch (e) {
      // Storage full or refused: the page works as before, without drafts.
    }
  };
  const here = () => location.pathname + location.search;
  // A form's address without its CSRF token (an upload carries it there; a new session, a new one).
  const actionOf = (form) => (form.getAttribute('action') || '')
    .replace(/([?&])csrf=[^&]*&?/, '$1')
    .replace(/[?&]$/, '');

  function restore(form, fields) {
    const byName = new Map();
    fields.forEach(([name, value]) => {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(value);
    });
    byName.forEach((values, name) => {
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((el) => {
        if (el.type === 'hidden' || el.type === 'file' || el.type === 'password') return;
        if (el.type === 'checkbox' || el.type === 'radio') {
          el.checked = values.includes(el.value);
        } else if (el.tagName === 'SELECT' && el.multiple) {
          Array.from(el.options).forEach((o) => { o.selected = values.includes(o.value); });
        } else if (values.length > 0) {
          el.value = values.shift();
        }
      });
    });
    const note = document.createElement('p');
    note.className = 'notice';
    note.setAttribute('role', 'status');
    note.textContent = document.body.dataset.draftRestored || '';
    form.parentNode.insertBefore(note, form);
  }

  const drafts = load();
  if (drafts.pending) {
    if (document.body.hasAttribute('data-keep-draft')) drafts.kept = drafts.pending;
    delete drafts.pending;
  }
  const who = document.body.dataset.who || '';
  if (drafts.kept && Date.now() - drafts.kept.at > KEEP_MS) delete drafts.kept;
  // Someone else signed in on this tab: what the other person typed is not theirs to see.
  if (drafts.kept && who && drafts.kept.who !== who) delete drafts.kept;
  if (drafts.kept && drafts.kept.page === here()) {
    const kept = drafts.kept;
    const form = Array.from(document.forms)
      .find((f) => f.method.toLowerCase() === 'post' && actionOf(f) === kept.action);
    if (form) {
      restore(form, kept.fields);
      delete drafts.kept;
    }
  }
  store(drafts);

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
    // The journal grid keeps its own unsaved cells.
    if (form.id === 'grid-form') return;
    const fields = [];
    new FormData(form).forEach((value, name) => {
      if (typeof value !== 'string' || name === 'csrf') return;
      const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (el && el.type === 'password') return;
      fields.push([name, value]);
    });
    const d = load();
    d.pending = { page: here(), action: actionOf(form), fields, at: Date.now(), who: document.body.dataset.who || '' };
    store(d);
  });
})();
