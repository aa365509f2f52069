"""Measures first render and pan/zoom frame times of a figure in Chromium (dev only).

    python dev/measure.py raster --view RasterPlot

Reports wall time from navigation to the first draw of the view, and during a continuous
drag-pan and wheel-zoom: draws per second and the draw duration of each frame.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from shoot import ARGS, figure_url


WHEEL_LOOP_JS = """(selector) => new Promise((resolve) => {
  const canvas = document.querySelector(selector)
  const r = canvas.getBoundingClientRect()
  const stamps = []
  const step = (ts) => {
    stamps.push(ts)
    const i = stamps.length
    const deltaY = Math.floor(i / 40) % 2 === 0 ? -120 : 120
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY, clientX: r.left + r.width * 0.3, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }))
    if (i < 240) requestAnimationFrame(step)
    else resolve(stamps)
  }
  requestAnimationFrame(step)
})"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--view", default="RasterPlot")
    ap.add_argument("--base", default="http://127.0.0.1:8765")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for run in range(args.runs):
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.add_init_script("window.__svPerf = {draws: []}")
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            t0 = time.time()
            page.goto(figure_url(args.base, args.name))
            iframe = page.wait_for_selector("iframe.figure-iframe")
            frame = iframe.content_frame()
            frame.wait_for_function(f"window.__svPerf && window.__svPerf.draws.some(d => d.view === '{args.view}')", timeout=60000)
            first = time.time() - t0
            canvas = frame.wait_for_selector(f"[data-view-type={args.view}] canvas")
            box = canvas.bounding_box()
            # The iframe fills the page, so frame coordinates are page coordinates.
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            frame.evaluate("window.__svPerf.draws = []")
            page.mouse.move(cx, cy)
            t1 = time.time()
            for _ in range(8):  # zoom in, so panning has somewhere to go, then back out
                page.mouse.wheel(0, -240)
            page.mouse.down()
            for i in range(120):
                page.mouse.move(cx + 300 * ((i % 40) - 20) / 20, cy)
            page.mouse.up()
            for _ in range(8):
                page.mouse.wheel(0, 240)
            frame.wait_for_timeout(300)
            elapsed = time.time() - t1 - 0.3
            draws = frame.evaluate(f"window.__svPerf.draws.filter(d => d.view === '{args.view}')")
            ms = [d["ms"] for d in draws]
            at = sorted(d["at"] for d in draws)
            gaps = [b - a for a, b in zip(at, at[1:])]
            print(
                f"run {run}: first draw {first:.2f} s; interaction {elapsed:.2f} s, {len(ms)} draws "
                f"({len(ms) / elapsed:.0f}/s); draw ms median {statistics.median(ms):.1f}, p95 {sorted(ms)[int(len(ms) * 0.95)]:.1f}, max {max(ms):.1f}; "
                f"frame gap median {statistics.median(gaps):.1f} ms; console errors: {len(errors)}"
            )
            # Continuous zoom in and out driven from inside the page, one wheel event per frame:
            # the frame rate a user gets while scrolling, without the test driver's own latency.
            frame.evaluate("window.__svPerf.draws = []")
            stamps = frame.evaluate(WHEEL_LOOP_JS, f"[data-view-type={args.view}] canvas")
            gaps = [b - a for a, b in zip(stamps, stamps[1:])]
            draws = frame.evaluate(f"window.__svPerf.draws.filter(d => d.view === '{args.view}')")
            ms = sorted(d["ms"] for d in draws)
            print(
                f"        in-page wheel loop: {len(stamps)} frames at {1000 * len(gaps) / (stamps[-1] - stamps[0]):.0f} fps "
                f"(frame gap p95 {sorted(gaps)[int(len(gaps) * 0.95)]:.1f} ms); {len(ms)} draws, median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms"
            )
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
