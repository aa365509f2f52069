"""A static copy of a figure: host page, view bundle and the figure's files, all addressed relatively."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from urllib.parse import parse_qs, quote

import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.sharing.export import STATIC_META_NAME


@pytest.fixture
def figure(tmp_path, monkeypatch, viewer_dist):
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SORTINGVIEW_VIEWER_DIR", str(viewer_dist))
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(tmp_path / "no-config.yaml"))
    import spikeinterface.full as si

    _, sorting = si.generate_ground_truth_recording(durations=[3.0], num_channels=4, num_units=3, seed=2)
    sorting_uri = sv.share_sorting(sorting)
    table = sv.views.UnitsTable([], [sv.views.UnitsTableRow(u, {}) for u in sorting.unit_ids])
    layout = sv.views.Box(
        "horizontal",
        [sv.views.LayoutItem(table), sv.views.LayoutItem(sv.views.SortingCuration2(sorting_uri=sorting_uri))],
    )
    return {
        "url": sv.Figure(layout).url(label="a static figure", state={"sortingCuration": {"labelsByUnit": {}}}),
        "sorting_uri": sorting_uri,
    }


def test_an_export_holds_the_page_the_viewer_and_only_the_files_the_page_reads(figure, tmp_path):
    report = sv.export_figure(figure["url"], tmp_path / "site" / "fig")
    folder = report.path
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "sha1", "viewer"]
    assert (folder / "viewer" / "index.html").is_file() and not (folder / "viewer" / "host.html").exists()
    page = (folder / "index.html").read_text()
    assert '"/' not in page.replace('"//', "")  # no address from the server's root: it works under any path
    assert "./viewer/assets/" in page
    meta = re.search(rf'<meta name="{STATIC_META_NAME}" content="([^"]*)"', page).group(1)
    query = parse_qs(meta.replace("&amp;", "&"))
    document = parse_qs(figure["url"].split("?", 1)[1])["d"][0]
    assert query["d"] == [document] and query["label"] == ["a static figure"] and "sortingCuration" in query["s"][0]
    # The figure's own files, not its sorting: a static copy has no compute.
    assert document.removeprefix("sha1://") in {p.name for p in (folder / "sha1").iterdir()}
    assert figure["sorting_uri"].removeprefix("sha1://") not in {p.name for p in (folder / "sha1").iterdir()}
    assert report.bytes == sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    # Exporting again into the same folder is fine; into a folder holding other things is refused.
    sv.export_figure(figure["url"], folder)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="holds other files"):
        sv.export_figure(figure["url"], tmp_path / "busy")
    assert (tmp_path / "busy" / "thesis.tex").read_text() == "precious"


def test_the_command_writes_a_zip_of_the_folder_and_prints_its_size(figure, tmp_path, monkeypatch):
    import os

    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "export", figure["url"], str(tmp_path / "fig.zip")],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    size = (tmp_path / "fig.zip").stat().st_size
    assert f"{size / 2**20:.1f} MB" in result.stdout
    with zipfile.ZipFile(tmp_path / "fig.zip") as archive:
        names = archive.namelist()
    assert "fig/index.html" in names and any(n.startswith("fig/viewer/assets/") for n in names)
    assert any(n.startswith("fig/sha1/") for n in names)
    assert not list(tmp_path.glob("*.part"))


def test_an_export_of_an_unknown_figure_says_what_is_missing(figure, tmp_path):
    missing = "sha1://" + "0" * 40
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "export", f"http://127.0.0.1:1/f?d={quote(missing)}", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and f"The figure names {missing}, which is not in the store" in result.stderr
