// "下载数据 / Download data": the project data as a file from GET /api/export, for all projects or
// for the ones the page shows. A disclosure button in the panel header (#export-btn) with a popup
// under it (#export-menu): a scope choice and one link per format. Every string comes from
// i18n.js; app.js creates the menu and calls render() when the language changes.
//
// Keyboard: Enter/Space/ArrowDown on the button opens it and focuses the first choice; Tab and the
// arrow keys move inside it; Escape closes it and gives the focus back to the button.

/** The export formats, in the server's menu order (src/formats/mod.rs EXPORT_FORMATS). */
export const EXPORT_FORMATS = ['geojson', 'csv', 'gpkg', 'kml', 'shp', 'fgb'];

/** Beyond this many shown projects the ids make too long a URL: the server-side filters are sent. */
export const MAX_IDS = 400;

/**
 * The query of the export of the shown projects. `serverQuery` (URLSearchParams) is what the
 * server can filter by itself; `exact` says whether it selects exactly the shown projects (no
 * client-only filter such as island, late, search or month is on). Returns { params, partial }:
 * partial = client-only filters are on but not applied (too many projects for an id list).
 */
export function shownQuery({ ids, serverQuery, exact }) {
  if (!exact && ids.length <= MAX_IDS) return { params: new URLSearchParams({ ids: ids.join(',') }), partial: false };
  return { params: new URLSearchParams(serverQuery), partial: !exact };
}

/**
 * Build the menu into `host` (an element of the header buttons).
 * opts: tr(key, vars) translates; scope() -> { total, ids, serverQuery, exact, count? } describes
 * the projects at the time of the call (`count`, when given, is how many are shown: on tiles the
 * page holds only the table's rows).
 */
export function createExportMenu(host, { tr, scope }) {
  let uid = 0;
  const wrap = document.createElement('div');
  wrap.className = 'export-wrap';
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.id = 'export-btn';
  btn.className = 'btn btn-tool';
  btn.setAttribute('aria-expanded', 'false');
  btn.setAttribute('aria-controls', 'export-menu');
  const pop = document.createElement('div');
  pop.id = 'export-menu';
  pop.className = 'export-menu';
  pop.hidden = true;
  pop.setAttribute('role', 'group');
  wrap.append(btn, pop);
  host.append(wrap);

  let current = 'all';

  function hrefFor(format) {
    const s = scope();
    let params = new URLSearchParams();
    let partial = false;
    if (current === 'shown') ({ params, partial } = shownQuery(s));
    params.set('format', format);
    return { href: `api/export?${params}`, partial };
  }

  /** Point the links at the current scope and filters; show the note when filters are dropped. */
  function refresh() {
    const s = scope();
    let partial = false;
    pop.querySelectorAll('a[data-format]').forEach((a) => {
      const r = hrefFor(a.dataset.format);
      a.href = r.href;
      partial = r.partial;
    });
    const note = pop.querySelector('.export-note');
    const shownLabel = pop.querySelector('label[data-scope="shown"]');
    const all = pop.querySelector('label[data-scope="all"] span');
    all.textContent = s.total == null ? tr('export.scope.all') : tr('export.scope.all.n', { n: s.total });
    shownLabel.querySelector('span').textContent = tr('export.scope.shown.n', { n: s.count ?? s.ids.length });
    const partialShown = shownQuery(s).partial;
    const noteText = tr('export.partial', { max: MAX_IDS });
    shownLabel.title = partialShown ? noteText : '';
    note.textContent = noteText;
    note.hidden = !(partial && current === 'shown');
    const empty = (s.count ?? s.ids.length) === 0;
    const shownInput = shownLabel.querySelector('input');
    shownInput.disabled = empty;
    if (empty && current === 'shown') {
      current = 'all';
      pop.querySelector('input[value="all"]').checked = true;
      refresh();
    }
  }

  function render() {
    btn.textContent = tr('export.button');
    btn.setAttribute('aria-label', tr('export.button.aria'));
    pop.setAttribute('aria-label', tr('export.title'));
    const name = `export-scope-${++uid}`;
    const fs = document.createElement('fieldset');
    fs.className = 'export-scope';
    const legend = document.createElement('legend');
    legend.textContent = tr('export.scope');
    fs.append(legend);
    for (const sc of ['all', 'shown']) {
      const label = document.createElement('label');
      label.dataset.scope = sc;
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = sc;
      input.checked = current === sc;
      input.addEventListener('change', () => { if (input.checked) { current = sc; refresh(); } });
      label.append(input, document.createElement('span'));
      fs.append(label);
    }
    const note = document.createElement('p');
    note.className = 'export-note';
    note.hidden = true;
    const h = document.createElement('p');
    h.className = 'export-head';
    h.textContent = tr('export.formats');
    const ul = document.createElement('ul');
    ul.className = 'export-list';
    for (const f of EXPORT_FORMATS) {
      const a = document.createElement('a');
      a.dataset.format = f;
      a.setAttribute('download', '');
      a.textContent = tr(`export.format.${f}`);
      // The filters may have changed since the menu opened: point the link at them as it is used.
      a.addEventListener('click', () => { a.href = hrefFor(f).href; setTimeout(close, 0); });
      const li = document.createElement('li');
      li.append(a);
      ul.append(li);
    }
    pop.replaceChildren(fs, note, h, ul);
    refresh();
  }

  const focusables = () => [...pop.querySelectorAll('input:not([disabled]), a[data-format]')];
  function open(focusFirst) {
    refresh();
    pop.hidden = false;
    btn.setAttribute('aria-expanded', 'true');
    if (focusFirst) (pop.querySelector('input:checked') || focusables()[0])?.focus();
  }
  function close(returnFocus) {
    if (pop.hidden) return;
    pop.hidden = true;
    btn.setAttribute('aria-expanded', 'false');
    if (returnFocus) btn.focus();
  }
  const isOpen = () => !pop.hidden;

  btn.addEventListener('click', (e) => {
    if (isOpen()) close(false);
    // A click by keyboard (Enter/Space, detail 0) moves the focus into the menu.
    else open(e.detail === 0);
  });
  btn.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); open(true); }
  });
  wrap.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen()) { e.preventDefault(); e.stopPropagation(); close(true); return; }
    if (!isOpen() || !pop.contains(e.target)) return;
    const items = pop.querySelectorAll('a[data-format]');
    const links = [...items];
    const i = links.indexOf(e.target);
    if (i < 0) return; // the radios keep their own arrow keys
    let j = null;
    if (e.key === 'ArrowDown') j = (i + 1) % links.length;
    else if (e.key === 'ArrowUp') j = (i - 1 + links.length) % links.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = links.length - 1;
    if (j != null) { e.preventDefault(); links[j].focus(); }
  });
  // Leaving the menu (click or focus elsewhere) closes it.
  document.addEventListener('pointerdown', (e) => { if (isOpen() && !wrap.contains(e.target)) close(false); });
  wrap.addEventListener('focusout', (e) => { if (isOpen() && e.relatedTarget && !wrap.contains(e.relatedTarget)) close(false); });

  render();
  return { render, refresh, open, close, element: wrap };
}
