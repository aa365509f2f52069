"""``sv-runner ls``: the store's workspaces, each recording with its facts and its sortings beneath it."""

from __future__ import annotations

import json

import spikeinterface_sortingview as sv
from runner.cli import main


def test_ls_lists_workspaces_recordings_and_their_sortings(lab, capsys):
    sv.create_workspace(label="another lab")
    assert main(["ls"]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].startswith("another lab  sv-workspace://") and "(0 recordings, 0 sortings" in lines[0]
    assert lines[1].startswith(f"my lab  {lab.workspace.uri}  (2 recordings, 3 sortings")
    assert lines[2].split() == [
        lab.binary_id,
        "rec1",
        "4.0",
        "s",
        "8",
        "ch",
        "30000",
        "Hz",
        "3.7",
        "MiB",
        "in",
        "place",
    ]
    assert lines[3].split()[1:5] == ["ground", "truth", "5", "units"] and lines[3].endswith("copied")
    assert lines[4].split()[1:4] == ["first", "units", "2"]
    assert lines[5].split()[:3] == [lab.nwb_id, "nwb", "session"]
    assert lines[6].split()[1:5] == ["nwb", "units", "3", "units"] and lines[6].endswith("in place")


def test_ls_filters_by_text_and_prints_json(lab, capsys):
    sv.create_workspace(label="another lab")
    main(["ls", "NWB", "--json"])
    listing = json.loads(capsys.readouterr().out)
    assert [w["uri"] for w in listing] == [lab.workspace.uri]
    assert [s["label"] for s in listing[0]["recordings"][1]["sortings"]] == ["nwb units"]

    main(["ls", "no such thing"])
    assert "matches 'no such thing'" in capsys.readouterr().out
