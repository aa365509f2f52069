"""Opens figures in Debian's Chromium, reports console errors and timings, saves screenshots (dev only).

    python dev/shoot.py small [--wait-views 6] [--click-unit 3]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEW = "npm://@fi-sci/figurl-sortingview@12/dist"


def figure_url(base: str, name: str, state: str | None = None) -> str:
    uri = json.loads((HERE / "store" / "figures.json").read_text())[name]
    url = f"{base}/f?v={VIEW}&d={uri}&label={name}"
    return url + (f"&s={state}" if state else "")


def open_figure(page, url: str, timeout: float = 30.0):
    """Loads the figure and returns (frame, seconds until every leaf view has content)."""
    t0 = time.time()
    page.goto(url)
    page.frame_locator("iframe.figure-iframe").locator("[data-testid=figure-root]").wait_for(timeout=timeout * 1000)
    frame = page.query_selector("iframe.figure-iframe").content_frame()
    return frame, time.time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--base", default="http://127.0.0.1:8765")
    ap.add_argument("--out", default="/tmp/viewer-shots")
    ap.add_argument("--width", type=int, default=1600)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--click", default=None, help="comma list of unit ids to click in the units table (first plain, others ctrl)")
    ap.add_argument("--tab", default=None, help="click the tab with this label")
    ap.add_argument("--state", default=None)
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        frame, secs = open_figure(page, figure_url(args.base, args.name, args.state))
        print(f"figure root after {secs:.2f} s")
        if frame and args.click:
            for i, uid in enumerate(args.click.split(",")):
                frame.click(f'[data-testid=units-table] tr[data-unit-id="{uid}"]', modifiers=["Control"] if i else [])
        if frame and args.tab:
            for name in args.tab.split(">"):  # nested tabs: "Mountain>Similarity"
                frame.get_by_role("tab", name=name, exact=True).first.click()
        page.wait_for_timeout(800)
        shot = f"{args.out}/{args.name}{'-' + args.tab.replace(' ', '_').replace('>', '-') if args.tab else ''}.png"
        page.screenshot(path=shot)
        print("screenshot", shot)
        if frame:
            for el in frame.query_selector_all("[data-view-type]"):
                print(" view", el.get_attribute("data-view-type"), "selected=", el.get_attribute("data-selected-units"))
        print("console:", errors or "clean")
        browser.close()


if __name__ == "__main__":
    main()
