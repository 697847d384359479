// The journal grid from the keyboard: arrows move between cells, Enter goes to the next student,
// Ctrl+S (or the button) saves every changed cell in one request and marks what was saved.
// Without this file the grid is a plain form that saves the same way.
(function () {
  'use strict';
  const form = document.getElementById('grid-form');
  const table = document.getElementById('grid');
  if (!form || !table) return;
  const status = document.getElementById('grid-status');
  // The newest lessons are at the right: start there.
  const wrap = table.closest('.grid-wrap');
  if (wrap) wrap.scrollLeft = wrap.scrollWidth;
  const inputs = () => Array.from(table.querySelectorAll('tbody input'));

  function position(input) {
    const cell = input.closest('td');
    const row = cell.parentElement;
    return { row: row.sectionRowIndex, col: Array.prototype.indexOf.call(row.children, cell) };
  }

  function at(row, col) {
    const r = table.tBodies[0].rows[row];
    if (!r) return null;
    const cell = r.children[col];
    return cell ? cell.querySelector('input') : null;
  }

  function move(input, dRow, dCol) {
    let { row, col } = position(input);
    for (let step = 0; step < 500; step++) {
      row += dRow;
      col += dCol;
      const rows = table.tBodies[0].rows.length;
      if (row < 0 || row >= rows || col < 1) return null;
      const next = at(row, col);
      if (next) {
        next.focus();
        next.select();
        return next;
      }
      if (!table.tBodies[0].rows[row].children[col]) return null;
    }
    return null;
  }

  function changed(input) {
    return input.value.trim() !== input.dataset.saved;
  }

  function mark(input) {
    input.classList.toggle('changed', changed(input));
  }

  // A login in another tab gives the session a new token: take it from a fresh copy of the page.
  async function freshToken() {
    try {
      const page = await fetch(location.href, { credentials: 'same-origin' }).then((r) => r.text());
      const input = new DOMParser().parseFromString(page, 'text/html').querySelector('#grid-form input[name=csrf]');
      return input ? input.value : null;
    } catch (e) {
      return null;
    }
  }

  async function save(retried) {
    const dirty = inputs().filter(changed);
    if (dirty.length === 0) {
      status.textContent = form.dataset.nothing || '';
      return;
    }
    const body = new URLSearchParams();
    body.append('csrf', form.querySelector('input[name=csrf]').value);
    const reason = document.getElementById('reason');
    if (reason && reason.value.trim()) body.append('reason', reason.value.trim());
    dirty.forEach((i) => body.append(i.name, i.value.trim()));
    status.textContent = '…';
    let response;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        credentials: 'same-origin',
      });
    } catch (e) {
      status.textContent = String(e);
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) {
      // The session ended: nothing was saved and the changed cells stay as typed.
      status.textContent = `${answer.message || ''} `;
      const login = document.createElement('a');
      login.href = '/login';
      login.target = '_blank';
      login.rel = 'noopener';
      login.textContent = form.dataset.login || '/login';
      status.append(login);
      return;
    }
    if (response.status === 403 && answer.error === 'error.csrf' && !retried) {
      const token = await freshToken();
      if (token) {
        form.querySelector('input[name=csrf]').value = token;
        save(true);
        return;
      }
    }
    table.querySelectorAll('td.bad').forEach((td) => td.classList.remove('bad'));
    table.querySelectorAll('input[aria-invalid]').forEach((i) => {
      i.removeAttribute('aria-invalid');
      i.removeAttribute('title');
    });
    if (response.ok) {
      (answer.saved || []).forEach(([name, value]) => {
        const input = form.querySelector(`input[name="${CSS.escape(name)}"]`);
        if (!input) return;
        input.value = value;
        input.dataset.saved = value;
        input.classList.remove('changed');
        input.classList.add('saved');
      });
      status.textContent = answer.message || '';
    } else {
      (answer.errors || []).forEach((e) => {
        const input = form.querySelector(`input[name="${CSS.escape(e.key)}"]`);
        if (!input) return;
        input.setAttribute('aria-invalid', 'true');
        input.title = e.message;
        input.closest('td').classList.add('bad');
      });
      status.textContent = answer.message || answer.error || String(response.status);
      const first = table.querySelector('input[aria-invalid]');
      if (first) first.focus();
    }
  }

  table.addEventListener('keydown', (event) => {
    const input = event.target;
    if (input.tagName !== 'INPUT') return;
    switch (event.key) {
      case 'ArrowUp': event.preventDefault(); move(input, -1, 0); break;
      case 'ArrowDown': event.preventDefault(); move(input, 1, 0); break;
      case 'ArrowLeft':
        if (input.selectionStart === 0 && input.selectionEnd === 0 || input.value === '') { event.preventDefault(); move(input, 0, -1); }
        break;
      case 'ArrowRight':
        if (input.selectionStart === input.value.length || input.value === '') { event.preventDefault(); move(input, 0, 1); }
        break;
      case 'Enter':
        event.preventDefault();
        if (!move(input, 1, 0)) save();
        break;
      default:
    }
  });
  table.addEventListener('input', (event) => { if (event.target.tagName === 'INPUT') mark(event.target); });
  table.addEventListener('focusin', (event) => { if (event.target.tagName === 'INPUT') event.target.select(); });
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      save();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  window.addEventListener('beforeunload', (event) => {
    if (inputs().some(changed)) event.preventDefault();
  });
})();
