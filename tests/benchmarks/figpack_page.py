"""The peer's page in the viewer benchmark: figpack's saved folder of the same analyzer, served statically, timed.

The folder is what SpikeInterface's figpack backend writes (``publish_figpack`` of ``bench_publish_summary.py``:
``plot_sorting_summary(analyzer, backend="figpack", display=False)`` then ``widget.view.save(folder)``), served
by ``python -m http.server`` on 127.0.0.1, and opened in the same browser as ours at the same viewport.

"Every view drawn" for figpack's page, the same point as ours: no "Loading" text left on the page and as many
drawn canvases inside the viewport (not one uniform colour, the test applied to ours) as the settled page has
(counted once in an untimed warm-up open, 3 s after its "Loading" text is gone). Figpack's summary draws its
views on canvases (units table and text views are HTML) and stacks transparent interaction canvases over
them, which stay blank, so the drawn canvases are counted. Times are from navigation start (polled every ``poll_ms``, as ours).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.servers import find_free_port

# Runs in figpack's page: {canvases, drawn} with `drawn` the number of canvases inside the viewport that are drawn
# (not one uniform colour), and `loading` whether "Loading" text is on the page. Its views stack transparent
# canvases (interaction layers) over the drawn ones, so the drawn ones are counted rather than all required.
FIGPACK_CANVASES_JS = """() => {
  const canvases = [...document.querySelectorAll('canvas')]
  const isBlank = (canvas) => {
    if (canvas.width === 0 || canvas.height === 0) return true
    const ctx = canvas.getContext('2d')
    if (!ctx) return false
    const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer)
    const first = pixels[0]
    for (let i = 1; i < pixels.length; i++) if (pixels[i] !== first) return false
    return true
  }
  let drawn = 0
  for (const canvas of canvases) {
    const r = canvas.getBoundingClientRect()
    const visible = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight
    if (visible && !isBlank(canvas)) drawn++
  }
  return { canvases: canvases.length, drawn, loading: /loading/i.test(document.body.innerText) }
}"""


def save_figpack_folder(analyzer, out_dir: Path) -> tuple[Path, float]:
    """figpack's saved folder of ``analyzer``'s sorting summary; returns it and the seconds it took."""
    from bench_publish_summary import publish_figpack

    start = time.perf_counter()
    folder = Path(publish_figpack(analyzer, out_dir)["folder"])
    return folder, time.perf_counter() - start


@contextmanager
def static_server(folder: Path):
    """``python -m http.server`` serving ``folder`` on a free loopback port; yields its address."""
    port = find_free_port()
    args = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        address = f"http://127.0.0.1:{port}"
        for _ in range(100):  # up to 10 s for it to listen
            try:
                import urllib.request

                urllib.request.urlopen(f"{address}/index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def open_figpack(browser, address: str, viewport: dict, expected: int, poll_ms: int, timeout_ms: int) -> dict:
    """Open figpack's page in a fresh context; seconds from navigation start to ``expected`` drawn canvases."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{address}/index.html", wait_until="commit")
        check = (
            f"() => {{ const s = ({FIGPACK_CANVASES_JS})(); return !s.loading && s.drawn >= {expected} ? s : false }}"
        )
        handle = page.wait_for_function(check, polling=poll_ms, timeout=timeout_ms)
        state = handle.json_value()
        drawn_at = page.evaluate("performance.now()") / 1000
        return {"drawn": drawn_at, "canvases": state["drawn"], "errors": errors}
    finally:
        context.close()


def count_settled_canvases(
    browser, address: str, viewport: dict, timeout_ms: int, settle_s: float = 3.0, shot: Path | None = None
) -> int | None:
    """The drawn canvases inside the viewport of figpack's settled page (a warm-up open, not timed).

    Settled: no "Loading" text left, then ``settle_s`` more seconds. None when it still shows "Loading" after
    ``timeout_ms``.
    """
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{address}/index.html")
        try:
            page.wait_for_function(f"() => !({FIGPACK_CANVASES_JS})().loading", polling=500, timeout=timeout_ms)
        except Exception:  # Playwright's TimeoutError
            return None
        finally:
            if shot is not None:
                page.screenshot(path=str(shot))
        page.wait_for_timeout(settle_s * 1000)
        return page.evaluate(FIGPACK_CANVASES_JS)["drawn"]
    finally:
        context.close()


def measure_figpack_first_render(
    browser, folder: Path, viewport: dict, repeats: int, poll_ms: int, timeout_ms: int, shots: Path | None
) -> dict:
    """First render of figpack's page, ``repeats`` times in fresh contexts (after one warm-up open).

    ``median`` and ``max`` are None when the page never finished loading within ``timeout_ms`` (said in ``note``).
    """
    with static_server(folder) as address:
        shot = None if shots is None else shots / "figpack.png"
        expected = count_settled_canvases(browser, address, viewport, timeout_ms, shot=shot)
        if expected is None:
            note = f"figpack's page still showed 'Loading' after {timeout_ms / 1000:.0f} s"
            print(f"  {note}")
            return {"median": None, "max": None, "canvases": 0, "runs": [], "note": note}
        runs = [open_figpack(browser, address, viewport, expected, poll_ms, timeout_ms) for _ in range(repeats)]
    for i, run in enumerate(runs):
        print(
            f"  figpack run {i + 1}: {run['canvases']} canvases drawn at {run['drawn']:.2f} s; "
            f"page errors: {len(run['errors'])}"
        )
    drawn = [run["drawn"] for run in runs]
    note = f"{expected} drawn canvases"
    return {"median": statistics.median(drawn), "max": max(drawn), "canvases": expected, "runs": runs, "note": note}
