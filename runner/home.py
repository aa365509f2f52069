"""The runner's home page ``/`` and ``GET /api/workspaces``: the store's workspaces, their entries and figures.

Both read :func:`runner.listing.workspace_listing` (what ``sv-runner ls`` prints) through one cache, so a
workspace is read again only when its pointer names another snapshot. The page is rendered here, in one
piece; a few lines of script filter it by text in the browser (no request per keystroke).
"""

from __future__ import annotations

import html
import threading
import time
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from spikeinterface_sortingview.store import LocalStore
from spikeinterface_sortingview.workspace.workspace import URI_SCHEME

from .listing import ListingCache, workspace_listing
from .status import RunnerStatus

NO_STORE = {"Cache-Control": "no-store"}
COLUMNS = ("", "id", "duration", "channels", "rate", "size", "storage", "units", "spikes", "curation", "figures")

STYLE = """
body{font:14px system-ui,sans-serif;margin:0;color:#1d2125}
header{padding:12px 20px;background:#f4f5f7;border-bottom:1px solid #dde1e6}
header h1{font-size:20px;margin:0 0 4px}
header p{margin:2px 0;color:#4a525a}
main{padding:12px 20px}
#filter{font-size:15px;padding:6px 10px;width:32em;max-width:90vw}
#shown{margin-left:12px;color:#4a525a}
section{margin:18px 0}
section h2{font-size:16px;margin:0 0 6px}
.uri,.id{font:12px ui-monospace,monospace;color:#5a636c}
table{border-collapse:collapse;width:100%}
th,td{padding:3px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #eceef1}
th{background:#f8f9fa;font-weight:600;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.recording td{background:#fbfbfc;font-weight:600;border-top:1px solid #d5d9de}
tr.sorting td:first-child{padding-left:24px}
td.figures a{display:inline-block;margin-right:10px}
button.summary{font-size:12px;padding:1px 8px;cursor:pointer}
.none{color:#9aa1a8}
.error{color:#b00020}
.empty{color:#4a525a}
[hidden]{display:none !important}
"""

# Hides what does not match: a workspace matching shows all of it, a recording matching all its sortings.
SCRIPT = """
const input = document.getElementById('filter');
const shown = document.getElementById('shown');
const matches = (el, q) => el.dataset.text.includes(q);
function applyFilter() {
  const q = input.value.trim().toLowerCase();
  let sortings = 0, total = 0;
  for (const section of document.querySelectorAll('section.workspace')) {
    const all = !q || matches(section, q);
    let any = false;
    for (const group of section.querySelectorAll('tbody.recording')) {
      const whole = all || matches(group, q);
      let anySorting = false;
      for (const row of group.querySelectorAll('tr.sorting')) {
        const show = whole || matches(row, q);
        row.hidden = !show;
        total += 1;
        if (show) { sortings += 1; anySorting = true; }
      }
      group.hidden = !(whole || anySorting);
      any = any || !group.hidden;
    }
    section.hidden = !(all || any);
  }
  shown.textContent = q ? `${sortings} of ${total} sortings shown` : `${total} sortings`;
  const url = new URL(window.location.href);
  if (q) url.searchParams.set('q', input.value.trim()); else url.searchParams.delete('q');
  window.history.replaceState(null, '', url);
}
input.addEventListener('input', applyFilter);
applyFilter();
// "open summary": the runner starts the summary job and records the figure; the page it opens shows progress.
for (const button of document.querySelectorAll('button.summary')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    const said = button.parentElement.querySelector('.summary-error');
    if (said) said.remove();
    try {
      const resp = await fetch(button.dataset.summary, {method: 'POST'});
      const reply = await resp.json().catch(() => ({}));
      if (!resp.ok) throw new Error(reply.errorMessage || `HTTP ${resp.status}`);
      window.location.href = reply.link;
    } catch (err) {
      const error = document.createElement('div');
      error.className = 'error summary-error';
      error.textContent = `The summary could not be started: ${err.message}`;
      button.after(error);
      button.disabled = false;
    }
  });
}
"""


class HomePage:
    """The home page and its JSON, from the listing of ``store`` cached by snapshot.

    Parameters
    ----------
    store : LocalStore
        The store the runner serves.
    status : RunnerStatus
        The runner's facts (version, pid, store folder, address), shown on the page and in the JSON.
    """

    def __init__(self, store: LocalStore, status: RunnerStatus):
        self.store = store
        self.status = status
        self._cache = ListingCache()
        # one listing at a time: concurrent requests would read the same snapshots twice
        self._lock = threading.Lock()

    def listing(self) -> list[dict]:
        """The store's workspaces (``runner.listing.workspace_listing``)."""
        with self._lock:
            return workspace_listing(self.store, self._cache)

    def facts(self, request: Request) -> dict:
        """``/health``'s facts: version, pid, store folder, address, and the compute state when there is compute."""
        facts = self.status.facts()
        compute_status = getattr(request.app.state, "compute_status", None)
        facts["compute"] = compute_status() if compute_status is not None else None
        return facts

    async def workspaces(self, request: Request) -> JSONResponse:
        """``GET /api/workspaces``: ``{"runner": <facts>, "workspaces": <the listing of sv-runner ls --json>}``."""
        listing = await run_in_threadpool(self.listing)
        return JSONResponse({"runner": self.facts(request), "workspaces": listing}, headers=NO_STORE)

    async def page(self, request: Request) -> HTMLResponse:
        """``GET /[?q=text]``: the runner's facts, then every workspace's recordings, sortings and figures."""
        listing = await run_in_threadpool(self.listing)
        query = request.query_params.get("q", "")
        return HTMLResponse(render_page(listing, self.facts(request), query), headers=NO_STORE)


def render_page(listing: list[dict], facts: dict, query: str = "") -> str:
    """The home page's HTML: a header of runner facts, a filter box, one table per workspace."""
    e = html.escape
    compute = facts.get("compute")
    compute_text = (
        f"compute: Ray {e(str(compute.get('ray')))}, {count(compute.get('workers_ready') or 0, 'worker')} ready"
        if compute
        else "no compute (figures only)"
    )
    address = f" at <code>{e(facts['url'])}</code>" if facts.get("url") else ""
    header = (
        f"<header><h1>sortingview runner {e(facts['version'])}</h1>"
        f"<p>Serving the store at <code>{e(facts['store_dir'])}</code>{address} (pid {facts['pid']}; {compute_text}).</p>"
        "<p>Figures open at <code>/f?d=sha1://...</code>: make one with "
        '<code>si.plot_sorting_summary(analyzer, backend="sortingview")</code> after '
        "<code>import spikeinterface_sortingview</code>, or <code>W.spikesortingview(...)</code> of a workspace. "
        "API: <a href='health'>/health</a>, <a href='api/workspaces'>/api/workspaces</a>, "
        "<a href='jobs'>/jobs</a>, <a href='openapi.json'>/openapi.json</a></p></header>"
    )
    if listing:
        body = (
            "<p><input id='filter' type='search' placeholder='Filter by label, id or figure' "
            f"aria-label='Filter' value='{e(query)}' autofocus><span id='shown'></span></p>"
            + "".join(render_workspace(w, compute=bool(compute)) for w in listing)
        )
    else:
        body = (
            "<p class='empty' data-testid='no-workspaces'>No workspaces in this store yet. Make one with "
            "<code>W = sv.create_workspace(label=...)</code>, add recordings and sortings "
            "(<code>W.add_recording</code>, <code>W.add_sorting</code>), and reload this page.</p>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>sortingview runner</title><style>{STYLE}</style></head><body>{header}<main>{body}</main>"
        + (f"<script>{SCRIPT}</script>" if listing else "")
        + "</body></html>"
    )


def render_workspace(workspace: dict, compute: bool = False) -> str:
    """A workspace's table; with ``compute``, each sorting has an "open summary" button (the runner computes it)."""
    e = html.escape
    sortings = [s for r in workspace["recordings"] for s in r["sortings"]]
    counts = ", ".join(
        [
            count(len(workspace["recordings"]), "recording"),
            count(len(sortings), "sorting"),
            count(sum(len(s.get("figures", [])) for s in sortings), "figure"),
        ]
    )
    title = (
        f"<h2>{e(workspace['label']) or '(unreadable)'} <span class='uri'>{e(workspace['uri'])}</span></h2>"
        f"<p class='id'>{counts}; updated {e(format_time(workspace['updated']))}, "
        f"snapshot {e(workspace['snapshot'])}</p>"
    )
    text = search_text(workspace["label"], workspace["uri"])
    if "error" in workspace:
        return (
            f"<section class='workspace' data-text='{e(text)}'>{title}"
            f"<p class='error'>This workspace cannot be read: {e(workspace['error'])}</p></section>"
        )
    summaries = f"api/workspaces/{workspace['uri'].removeprefix(URI_SCHEME)}/sortings/" if compute else None
    groups = "".join(render_recording(r, summaries) for r in workspace["recordings"])
    if not groups:
        groups = f"<tbody><tr><td colspan='{len(COLUMNS)}' class='none'>No recordings yet.</td></tr></tbody>"
    head = "".join(f"<th>{name}</th>" for name in COLUMNS)
    return (
        f"<section class='workspace' data-text='{e(text)}'>{title}"
        f"<table><thead><tr>{head}</tr></thead>{groups}</table></section>"
    )


def render_recording(recording: dict, summaries: str | None = None) -> str:
    e = html.escape
    text = search_text(recording["label"], recording["id"], recording["storage"])
    row = (
        f"<tr class='recording'><td>{e(recording['label'])}</td><td class='id'>{e(recording['id'])}</td>"
        f"<td class='n'>{recording['duration_sec']:.1f} s</td><td class='n'>{recording['num_channels']}</td>"
        f"<td class='n'>{recording['sampling_frequency']:g} Hz</td>"
        f"<td class='n'>{recording['size_bytes'] / 2**20:.1f} MiB</td><td>{e(recording['storage'])}</td>"
        f"<td class='n'>{count(len(recording['sortings']), 'sorting')}</td><td></td><td></td><td></td></tr>"
    )
    sortings = "".join(render_sorting(s, summaries) for s in recording["sortings"])
    return f"<tbody class='recording' data-text='{e(text)}'>{row}{sortings}</tbody>"


def render_sorting(sorting: dict, summaries: str | None = None) -> str:
    """A sorting's row; ``summaries`` (the start of the summary route) adds its "open summary" button."""
    e = html.escape
    figures = sorting.get("figures", [])
    text = search_text(sorting["label"], sorting["id"], sorting["storage"], *(f["label"] for f in figures))
    links = "".join(f"<a href='{e(figure_link(f))}' data-figure='{e(f['id'])}'>{e(f['label'])}</a>" for f in figures)
    if summaries is not None:
        route = f"{summaries}{quote(sorting['id'])}/summary"
        links += f"<button type='button' class='summary' data-summary='{e(route)}'>open summary</button>"
    links = links or "<span class='none'>none</span>"
    return (
        f"<tr class='sorting' data-text='{e(text)}'><td>{e(sorting['label'])}</td>"
        f"<td class='id'>{e(sorting['id'])}</td><td></td><td></td><td></td><td></td><td>{e(sorting['storage'])}</td>"
        f"<td class='n'>{sorting['num_units']}</td><td class='n'>{sorting['num_spikes']}</td>"
        f"<td>{render_curation(sorting.get('curation'))}</td><td class='figures'>{links}</td></tr>"
    )


def render_curation(curation: dict | None) -> str:
    """``not curated``, or the number of actions in the runner's journal and the last one's author and time."""
    if not curation:
        return "<span class='none'>not curated</span>"
    e = html.escape
    last = ""
    if curation.get("last_time") is not None:
        last = f" (last by {e(str(curation.get('last_who') or 'unknown'))}, {e(format_time(curation['last_time']))})"
    return f"<span title='journal {e(curation['journal'])}'>{count(curation['actions'], 'action')}{last}</span>"


def figure_link(figure: dict) -> str:
    """The figure's address on this runner (relative, so it works at whatever address the page was opened)."""
    return f"f?d={quote(figure['uri'], safe=':/')}&label={quote(figure['label'])}"


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def search_text(*names: str) -> str:
    return " ".join(names).lower()


def format_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))
