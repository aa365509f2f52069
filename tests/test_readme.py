"""README truth: every ```python block runs as written, and every shell block is run or says why it is not.

Each Python block runs in its own interpreter, in a temporary folder, with its own store and home and no
network. A block may use, without defining them, the objects the README's sections talk about; the test
makes them as the Tests section of the README says (``PROVIDED``).
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from spikeinterface_sortingview import curation as sv_curation
from spikeinterface_sortingview.demo import DEMO_QUALITY_METRICS, SUMMARY_EXTENSIONS
from tests.servers import find_free_port

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
# Written just above a block that the tests do not run, with the reason: <!-- not run by tests: ... -->
NOT_RUN = re.compile(r"^\s*<!-- not run by tests: (?P<why>\S.*?) -->\s*$")
SHELL = {"bash", "sh", "shell", "console"}

# What a block may use without defining it, made as the README's Tests section says: a generated recording
# and its sorting, and a sparse analyzer of them (saved to a folder, with the demo's extensions) made once.
GENERATED = {"durations": [10.0], "num_units": 6, "num_channels": 8, "seed": 0}
PROVIDED = {"analyzer", "recording", "sorting"}
# The page's Export JSON for the analyzer above, in the working folder: unit 0 accepted, unit 1 noise,
# units 2 and 3 merged, made with the page's own actions.
EXPORTED_CURATION = "sorting_curation.json"
PAGE_ACTIONS = [
    {"type": "ADD_UNIT_LABEL", "unitId": "0", "label": "accept"},
    {"type": "ADD_UNIT_LABEL", "unitId": "1", "label": "noise"},
    {"type": "MERGE_UNITS", "unitIds": ["2", "3"]},
]

# Every connection a block opens must go to this machine.
NO_NETWORK = """
import socket

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _check(address):
    if isinstance(address, tuple) and address[0] not in _LOOPBACK:
        raise OSError(f"a README block tried to reach {address!r}: blocks must not use the network")


socket.socket.connect = lambda self, address: (_check(address), _connect(self, address))[1]
socket.socket.connect_ex = lambda self, address: (_check(address), _connect_ex(self, address))[1]


def _local_getaddrinfo(host, *args, **kwargs):
    _check((host,))
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _local_getaddrinfo
"""


@dataclass(frozen=True)
class Block:
    language: str
    line: int  # of the opening fence, 1-based
    code: str
    not_run: str | None  # the reason given, if the block is marked as not run by tests


def readme_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text (indented ones in lists too), dedented."""
    lines, blocks, index = text.splitlines(), [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening or not opening["lang"]:
            index += 1
            continue
        indent, start = opening["indent"], index
        index += 1
        body = []
        while index < len(lines) and lines[index].rstrip() != f"{indent}```":
            body.append(lines[index].removeprefix(indent))
            index += 1
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        marker = NOT_RUN.match(previous)
        blocks.append(Block(opening["lang"], start + 1, "\n".join(body) + "\n", marker["why"] if marker else None))
        index += 1
    return blocks


def free_names(code: str) -> set[str]:
    """Names a block reads before it binds them (by assignment, import, ``with``, ``for``, ``def``), builtins aside."""
    first_read: dict[str, tuple[int, int]] = {}
    first_bound: dict[str, tuple[int, int]] = {}

    def bind(name: str, node: ast.AST, at_end: bool = False) -> None:
        where = (node.end_lineno, node.end_col_offset) if at_end else (node.lineno, node.col_offset)
        first_bound[name] = min(first_bound.get(name, where), where)

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            # the value is read before the targets are bound: `sorting = load(sorting)` reads `sorting`
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bind(name.id, node, at_end=True)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for generator in node.generators:
                for name in ast.walk(generator.target):
                    if isinstance(name, ast.Name):
                        bind(name.id, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).split(".")[0], node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, node)
            for argument in ast.walk(node.args) if not isinstance(node, ast.ClassDef) else []:
                if isinstance(argument, ast.arg):
                    bind(argument.arg, node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            where = (node.lineno, node.col_offset)
            first_read[node.id] = min(first_read.get(node.id, where), where)
        elif isinstance(node, ast.Name) and node.id not in first_bound:
            bind(node.id, node)
    builtin = set(dir(builtins))
    return {
        name
        for name, read in first_read.items()
        if name not in builtin and (name not in first_bound or read < first_bound[name])
    }


def isolated_environment(tmp_path: Path) -> dict[str, str]:
    """A process of its own: home, store, no config file, and an address where nothing answers."""
    return {
        **os.environ,
        "SORTINGVIEW_HOME": str(tmp_path / "home"),
        "SORTINGVIEW_STORE_DIR": str(tmp_path / "store"),
        "SORTINGVIEW_CONFIG": str(tmp_path / "no-config.yaml"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{find_free_port()}",
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }


CACHED_KERNELS = (
    "from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels; cache_spikeinterface_kernels()"
)


def preamble(names: set[str], analyzer_folder: Path) -> str:
    """The code run before a block: the network guard, then the provided objects it uses."""
    # SpikeInterface's kernels from numba's file cache (as the package's summaries load them): not the block's
    # business, and compiling them again in each block's process is most of its time
    lines = [NO_NETWORK, "import spikeinterface.full as si", CACHED_KERNELS]
    if names & {"recording", "sorting"}:
        lines.append(f"recording, sorting = si.generate_ground_truth_recording(**{GENERATED!r})")
    if "analyzer" in names:
        lines.append(f"analyzer = si.load_sorting_analyzer({str(analyzer_folder)!r})")
    return "\n".join(lines) + "\n"


BLOCKS = readme_blocks(README.read_text())
PYTHON_BLOCKS = [b for b in BLOCKS if b.language == "python" and b.not_run is None]


def test_the_block_reader_finds_blocks_in_lists_and_their_markers():
    text = (
        "# T\n\n```python\nx = 1\n```\n\n- item:\n\n  <!-- not run by tests: needs a browser -->\n"
        "  ```bash\n  sv-runner start\n  ```\n\n```\nsynopsis\n```\n"
    )
    blocks = readme_blocks(text)
    assert blocks == [
        Block("python", 3, "x = 1\n", None),
        Block("bash", 10, "sv-runner start\n", "needs a browser"),
    ]
    code = (
        "import numpy as np\nfrom a import b\ny = np.sum(analyzer.x)\nsorting = f(sorting)\n"
        "with open('x') as g:\n    z = [k for k in g]\nprint(y, b, sorting, z)\n"
    )
    assert free_names(code) == {"analyzer", "sorting", "f"}


def test_every_block_is_run_or_says_why_not():
    assert PYTHON_BLOCKS, "the README has no Python block to run"
    for block in BLOCKS:
        if block.language == "python" and block.not_run is None:
            unknown = free_names(block.code) - set(PROVIDED)
            assert not unknown, f"README.md line {block.line} uses {sorted(unknown)}, which the tests cannot provide"
        elif block.language in SHELL:
            assert block.not_run, (
                f"README.md line {block.line}: a shell block the tests do not run must say why, in a "
                "'<!-- not run by tests: <why> -->' line above it"
            )


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in SHELL], ids=lambda b: f"line{b.line}")
def test_the_commands_of_shell_blocks_name_what_exists(block: Block):
    """Shell blocks are not run (they install, serve or run for minutes), but what they run must exist."""
    for line in block.code.splitlines():
        for command in re.split(r"&&|;", line.split("#", 1)[0]):
            words = shlex.split(command)
            if len(words) >= 2 and words[0] in ("python", "bash") and not words[1].startswith("-"):
                assert (REPO / words[1]).is_file(), f"README.md line {block.line}: {words[1]} does not exist"
            if words[:2] == ["python", "-m"] and words[2] != "pytest":
                assert importlib.util.find_spec(words[2]), f"README.md line {block.line}: no module {words[2]}"


@pytest.fixture(scope="module")
def analyzer_folder(tmp_path_factory) -> Path:
    """The ``analyzer`` of README blocks: of the generated recording (saved, so that the analyzer keeps it)."""
    import spikeinterface.full as si

    folder = tmp_path_factory.mktemp("readme")
    recording, sorting = si.generate_ground_truth_recording(**GENERATED)
    recording = recording.save(folder=folder / "recording", progress_bar=False)
    analyzer = si.create_sorting_analyzer(
        sorting, recording, sparse=True, format="binary_folder", folder=folder / "analyzer"
    )
    metrics = {"quality_metrics": {"metric_names": DEMO_QUALITY_METRICS}}
    analyzer.compute(SUMMARY_EXTENSIONS, extension_params=metrics, verbose=False, progress_bar=False)
    return folder / "analyzer"


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: f"line{b.line}")
def test_python_blocks_run_as_written(block: Block, tmp_path: Path, analyzer_folder: Path):
    state = sv_curation.replay(PAGE_ACTIONS)
    (tmp_path / EXPORTED_CURATION).write_text(json.dumps(sv_curation.to_sortingview_json(state)))
    snippet = tmp_path / "block.py"
    snippet.write_text(block.code)
    script = tmp_path / "run_block.py"
    script.write_text(
        preamble(free_names(block.code), analyzer_folder)
        + f"exec(compile(open({str(snippet)!r}).read(), 'README.md block at line {block.line}', 'exec'))\n"
    )
    # Nothing answers at its address: figures print their URL and how to serve it.
    env = isolated_environment(tmp_path)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"README.md block at line {block.line} failed:\n{result.stderr[-4000:]}"


# ---------------------------------------------------------------------- what the README says of SpikeInterface


@pytest.fixture(scope="module")
def digit_string_sorting():
    import spikeinterface.full as si

    sorting = si.generate_sorting(num_units=6, durations=[5.0], seed=0)
    assert list(sorting.unit_ids) == ["0", "1", "2", "3", "4", "5"]  # SpikeInterface's default ids
    return sorting


def export_file(tmp_path: Path, state: dict) -> str:
    path = tmp_path / EXPORTED_CURATION
    path.write_text(json.dumps(sv_curation.to_sortingview_json(sv_curation.normalize_curation(state))))
    return str(path)


def test_spikeinterface_reads_the_export_only_with_integer_unit_ids_as_the_readme_says(tmp_path, digit_string_sorting):
    from pydantic import ValidationError
    from spikeinterface.curation import apply_sortingview_curation

    readme = " ".join(README.read_text().split())
    assert "Manual label unit_id 4 is not in the unit list" in readme
    state = {"labelsByUnit": {"4": ["accept"], "1": ["noise"]}, "mergeGroups": [["2", "3"]]}
    with pytest.raises(ValidationError, match="Manual label unit_id 1 is not in the unit list"):
        apply_sortingview_curation(digit_string_sorting, export_file(tmp_path, state))
    int_sorting = digit_string_sorting.rename_units([0, 1, 2, 3, 4, 5])
    int_state = {**state, "mergeGroups": [[2, 3]]}
    curated = apply_sortingview_curation(int_sorting, export_file(tmp_path, int_state))
    assert len(curated.unit_ids) == 5 and list(curated.get_property("accept")).count(True) == 1
    # and it fails on a curation with no label, or with one distinct label
    with pytest.raises(Exception):  # noqa: B017 (StopIteration inside pydantic, whatever it becomes)
        apply_sortingview_curation(int_sorting, export_file(tmp_path, {"mergeGroups": [[2, 3]]}))
    with pytest.raises(ValidationError, match="at least 2 items"):
        apply_sortingview_curation(int_sorting, export_file(tmp_path, {"labelsByUnit": {"4": ["accept"]}}))


@pytest.mark.parametrize("unit_ids", [None, [0, 1, 2, 3, 4, 5]], ids=["digit strings", "integers"])
def test_apply_curation_reads_every_export_through_to_spikeinterface_curation(digit_string_sorting, unit_ids):
    from spikeinterface.curation import apply_curation

    sorting = digit_string_sorting if unit_ids is None else digit_string_sorting.rename_units(unit_ids)
    for state in (
        {"labelsByUnit": {"4": ["accept"], "1": ["noise"]}, "mergeGroups": [["2", "3"]]},
        {"mergeGroups": [["2", "3"]]},
        {"labelsByUnit": {"4": ["accept"]}},
    ):
        curated = apply_curation(sorting, sv_curation.to_spikeinterface_curation(state, sorting.unit_ids))
        assert len(curated.unit_ids) == 6 - len(state.get("mergeGroups", []))
        if "labelsByUnit" in state:
            assert list(curated.get_property("accept")) == [str(u) == "4" for u in curated.unit_ids]


@pytest.mark.slow
def test_the_demo_prints_the_figurl_and_how_to_serve_it_and_nothing_else(tmp_path: Path):
    env = isolated_environment(tmp_path)
    port = int(env["SORTINGVIEW_ADDRESS"].rsplit(":", 1)[1])
    result = subprocess.run(
        [sys.executable, "-m", "spikeinterface_sortingview.demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # no progress bars, no warning about metrics the demo cannot compute: nothing but what to do next
    assert result.stderr == ""
    url, serve = result.stdout.splitlines()
    assert url.startswith(f"http://127.0.0.1:{port}/f?") and "d=sha1://" in url
    assert serve == (
        f"Nothing answers at http://127.0.0.1:{port}; serve this figure with: "
        f"sv-runner start --port {port} --store-dir {tmp_path / 'store'}"
    )
