"""Drives curation, selection and error pages end to end in Chromium and prints what it sees (dev only).

    python dev/check_flows.py
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import sync_playwright

from shoot import ARGS, figure_url

BASE = "http://127.0.0.1:8765"

PROTOCOL_JS = """async (figureUri) => {
  const figureId = new URLSearchParams(location.search).get('figureId')
  const send = (request) => new Promise((resolve) => {
    const requestId = 'test' + Math.random()
    const onMessage = (e) => {
      if (e.data && e.data.type === 'figurlResponse' && e.data.requestId === requestId) {
        window.removeEventListener('message', onMessage)
        resolve(e.data.response)
      }
    }
    window.addEventListener('message', onMessage)
    window.parent.postMessage({ type: 'figurlRequest', figureId, requestId, request }, '*')
  })
  const echoes = []
  window.addEventListener('message', (e) => e.data && e.data.type === 'reportUrlStateChange' && echoes.push(e.data.state))
  const out = {}
  const fig = (await send({ type: 'getFigureData' })).figureData
  const firstView = fig.views.find((v) => v.type === 'AverageWaveforms') || fig.views[0]
  const legacy = (await send({ type: 'getFileData', uri: firstView.dataUri })).fileData
  const findArray = (x) => { if (ArrayBuffer.isView(x)) return x.constructor.name; if (Array.isArray(x)) { for (const v of x) { const r = findArray(v); if (r) return r } } else if (x && typeof x === 'object') { for (const v of Object.values(x)) { const r = findArray(v); if (r) return r } } }
  out.legacyDecoded = findArray(legacy) || 'none'
  const p1 = (await send({ type: 'getFileData', uri: firstView.dataUri, figurlProtocolVersion: 'p1', responseType: 'json' })).fileData
  out.p1Raw = JSON.stringify(p1).includes('"_type":"ndarray"')
  out.text = typeof (await send({ type: 'getFileData', uri: figureUri, responseType: 'text' })).fileData
  const range = (await send({ type: 'getFileData', uri: figureUri, responseType: 'text', startByte: 2, endByte: 6 })).fileData
  out.range = range
  out.binary = (await send({ type: 'getFileData', uri: figureUri, responseType: 'binary' })).fileData.byteLength
  out.missing = (await send({ type: 'getFileData', uri: 'sha1://' + 'b'.repeat(40) })).errorMessage
  out.url = (await send({ type: 'getFileDataUrl', uri: figureUri })).fileDataUrl
  out.stored = (await send({ type: 'storeFile', fileData: '{"hello":1}' })).uri
  out.service = (await send({ type: 'serviceQuery', serviceName: 'correlograms', query: { a: 1 } })).errorMessage
  out.setUrlState = (await send({ type: 'setUrlState', state: { z: 1, a: { c: 2, b: 1 } } })).type
  await new Promise((r) => setTimeout(r, 100))
  out.echo = echoes
  out.hostUrl = parent.location.search.split('&').find((p) => p.startsWith('s='))
  return out
}"""


def url_state(page) -> dict:
    s = parse_qs(urlsplit(page.url).query).get("s", ["{}"])[0]
    return json.loads(s)


def figure(page):
    page.frame_locator("iframe.figure-iframe").locator("[data-testid=figure-root]").wait_for()
    return page.query_selector("iframe.figure-iframe").content_frame()


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(figure_url(BASE, "small"))
        f = figure(page)
        f.click('[data-testid=units-table] tr[data-unit-id="1"]')
        f.click('[data-testid=units-table] tr[data-unit-id="4"]', modifiers=["Shift"])
        print("selected everywhere:", {e.get_attribute("data-view-type"): e.get_attribute("data-selected-units") for e in f.query_selector_all("[data-selected-units]")})
        f.click("[data-testid=label-accept]")
        f.click("[data-testid=merge-button]")
        page.keyboard.press("3")  # toggles "noise"
        page.wait_for_timeout(200)
        print("url state after label+merge+key:", url_state(page))
        f.click('[data-testid=units-table] tr[data-unit-id="4"]')
        f.press("[data-testid=units-table]", "ArrowDown")
        print("after ArrowDown:", f.get_attribute("[data-view-type=UnitsTable]", "data-selected-units"))
        print("aria-selected rows:", [r.get_attribute("data-unit-id") for r in f.query_selector_all('tr[aria-selected="true"]')])

        page.reload()
        f = figure(page)
        row1 = f.inner_text('[data-testid=units-table] tr[data-unit-id="1"]')
        print("after reload, row 1:", row1.replace("\t", " | "))

        f.click('[data-testid=units-table] tr[data-unit-id="1"]')
        f.click("[data-testid=unmerge-button]")
        with page.expect_download() as dl:
            f.click("[data-testid=export-curation]")
        path = dl.value.path()
        print("export:", open(path).read())
        f.click("[data-testid=save-curation]")
        f.wait_for_selector("[data-testid=curation-saved-uri]")
        print("url state after save:", url_state(page))
        page.reload()
        f = figure(page)
        print("after reload from snapshot, row 1:", f.inner_text('[data-testid=units-table] tr[data-unit-id="1"]').replace("\t", " | "))

        # sorting by a column
        f.click("[data-testid=units-table] th:has-text('snr')")
        print("sorted by snr:", [r.get_attribute("data-unit-id") for r in f.query_selector_all("[data-testid=units-table] tbody tr")][:5])

        # Hover read-outs and the time window shared by the raster and the amplitudes.
        page.goto(figure_url(BASE, "raster"))
        f = figure(page)
        raster = f.query_selector("[data-view-type=RasterPlot] canvas").bounding_box()
        amps = f.query_selector("[data-view-type=SpikeAmplitudes] canvas").bounding_box()
        page.mouse.move(raster["x"] + 400, raster["y"] + 200)
        print("raster hover:", f.inner_text("[data-view-type=RasterPlot] [data-testid=hover-readout]"))
        for _ in range(5):
            page.mouse.wheel(0, -300)
        page.wait_for_timeout(200)
        print("raster hover after zoom:", f.inner_text("[data-view-type=RasterPlot] [data-testid=hover-readout]"))
        page.mouse.move(amps["x"] + 400, amps["y"] + 100)
        print("amplitudes hover at same x:", f.inner_text("[data-view-type=SpikeAmplitudes] [data-testid=hover-readout]"))
        page.mouse.move(raster["x"] + 400, raster["y"] + 200)
        page.mouse.down()
        page.mouse.move(raster["x"] + 200, raster["y"] + 200, steps=5)
        page.mouse.up()
        page.mouse.move(amps["x"] + 400, amps["y"] + 100)
        print("amplitudes hover after pan:", f.inner_text("[data-view-type=SpikeAmplitudes] [data-testid=hover-readout]"))

        # The protocol as a third-party view would speak it, sent from inside the iframe.
        page.goto(figure_url(BASE, "small"))
        f = figure(page)
        print("protocol:", f.evaluate(PROTOCOL_JS, json.loads((Path(__file__).parent / "store" / "figures.json").read_text())["small"]))

        for label, url in [
            ("missing d", f"{BASE}/f?v=npm://@fi-sci/figurl-sortingview@12/dist&label=x"),
            ("bad uri", f"{BASE}/f?v=npm://@fi-sci/figurl-sortingview@12/dist&d=sha1://nothex"),
            ("404", f"{BASE}/f?v=npm://@fi-sci/figurl-sortingview@12/dist&d=sha1://{'a' * 40}"),
            ("other npm view", f"{BASE}/f?v=npm://some-other-view@1/dist&d=sha1://{'a' * 40}"),
            ("gs view", f"{BASE}/f?v=gs://figurl/spikesortingview-10&d=sha1://{'a' * 40}"),
        ]:
            page.goto(url)
            page.wait_for_selector("[data-testid=host-error]")
            print(f"error page ({label}):", page.inner_text("[data-testid=host-error] h1"), "/", page.inner_text(".host-error-message"))
        print("console errors:", errors)
        browser.close()


if __name__ == "__main__":
    main()
