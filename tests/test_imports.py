"""Imports without surprises: the store and the configuration load alone, and no module of ours imports in a circle."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("spikeinterface_sortingview", "runner", "extractors")


def test_store_and_config_import_without_widgets_or_extractors():
    code = (
        "import json, sys\n"
        "import spikeinterface_sortingview.store, spikeinterface_sortingview.config\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    heavy = [m for m in loaded if m.startswith(("spikeinterface_sortingview.widgets", "extractors", "runner"))]
    assert heavy == [], f"importing the store and the configuration loaded {heavy}"
    # ...while the package's import still registered the backend (tests/widgets checks that plots work)
    assert "spikeinterface_sortingview.backend" in loaded


def test_public_names_load_on_first_use():
    code = (
        "import sys\n"
        "import spikeinterface_sortingview as sv\n"
        "assert 'extractors' not in sys.modules\n"
        "print(sv.load_recording.__module__, sv.Figure.__module__, sv.views.__name__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "extractors.share",
        "spikeinterface_sortingview.figure",
        "spikeinterface_sortingview.views",
    ]


def module_files() -> dict[str, Path]:
    """Every module of our packages by dotted name (a package by its own name, read from its ``__init__``)."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported: at module level or in class bodies, not in functions."""
    found = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours its import loads first.

    Importing ``a.b.c`` runs ``a``'s and ``a.b``'s ``__init__`` too, so those are edges as well, except the
    importing module's own parent packages: they are already being imported when it runs.
    """
    modules = module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        own_parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        for node in module_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from a import b` loads the submodule a.b when there is one, else takes a name of a
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    loaded = ".".join(parts[:i])
                    if loaded in modules and loaded != name and loaded not in own_parents:
                        graph[name].add(loaded)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first and last the same), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph[module]):
            if target in on_path:
                return path[path.index(target) :] + [target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_no_module_imports_in_a_circle():
    graph = import_graph()
    assert "spikeinterface_sortingview.store" in graph["extractors.share"]  # the graph sees our imports
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_names_the_old_loop():
    # The loop this package had: extractors imported the store, whose import ran the package's __init__, which
    # imported extractors.
    graph = {
        "extractors": {"spikeinterface_sortingview.store", "spikeinterface_sortingview"},
        "spikeinterface_sortingview": {"extractors.share", "extractors"},
        "spikeinterface_sortingview.store": set(),
        "extractors.share": set(),
    }
    assert find_cycle(graph) == ["extractors", "spikeinterface_sortingview", "extractors"]
