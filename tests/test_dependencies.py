"""Every third-party module the package and the tests import is installed by what pyproject.toml declares.

A module a test imports that only happens to be on the developer's machine (IPython was one) passes there
and fails in a fresh virtual environment. Here each import is mapped to the distribution that provides it
and checked against the transitive closure of the declared requirements, read from installed metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
from collections.abc import Iterable
from pathlib import Path

from hatchling.metadata.core import ProjectMetadata
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
# Where the package's and the tests' code lives; viewer/ holds TypeScript (and node_modules).
SCANNED = ("spikeinterface_sortingview", "extractors", "runner", "tests", "hatch_build.py")
FIRST_PARTY = {"spikeinterface_sortingview", "extractors", "runner", "tests", "hatch_build"}
# Scripts that print measurements, not tests: they may also use the `benchmark` extras.
BENCHMARKS = REPO / "tests" / "benchmarks"
# Baselines a benchmark measures in its own environment, never dependencies of this package: SpikeInterface's
# old sortingview path (bench_publish_summary.py runs it where `sortingview` is installed, in another venv).
BENCHMARK_BASELINES = {"sortingview", "kachery"}
# Calls that import the module named by their first argument.
IMPORTING_CALLS = {"importorskip", "import_module", "__import__"}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports in a file, ``pytest.importorskip("x")`` and the like included."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in IMPORTING_CALLS and isinstance(node.args[0].value, str):
                modules.add(node.args[0].value)
    return {module.split(".")[0] for module in modules}


def third_party_imports(path: Path) -> set[str]:
    """The imports of ``path`` that are neither the standard library, first-party, nor a module beside it."""
    # pytest puts a test folder without __init__.py on sys.path, so its tests import their helpers by name.
    return {
        module
        for module in imported_modules(path)
        if module not in sys.stdlib_module_names
        and module not in FIRST_PARTY
        and not (path.parent / f"{module}.py").is_file()
        and not (path.parent / module / "__init__.py").is_file()
    }


def python_files() -> list[Path]:
    files = []
    for name in SCANNED:
        path = REPO / name
        files += [path] if path.is_file() else [p for p in path.rglob("*.py") if "node_modules" not in p.parts]
    return sorted(files)


def requirement_closure(requirements: Iterable[str]) -> tuple[set[str], list[str]]:
    """Names of the distributions the requirements install, transitively, and the requirements not installed.

    Each installed distribution's own requirements come from its metadata, with their markers evaluated
    for this interpreter and for the extras it was asked with.
    """
    environment = default_environment()
    pending = [Requirement(text) for text in requirements]
    pending = [r for r in pending if r.marker is None or r.marker.evaluate({**environment, "extra": ""})]
    seen: set[tuple[str, frozenset[str]]] = set()
    not_installed = []
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            not_installed.append(str(requirement))
            continue
        for text in distribution.requires or []:
            sub = Requirement(text)
            extras = ("", *requirement.extras)
            if sub.marker is None or any(sub.marker.evaluate({**environment, "extra": e}) for e in extras):
                sub.marker = None  # evaluated here, for the extras that pulled it in
                pending.append(sub)
    return {name for name, _ in seen}, not_installed


def declared() -> tuple[list[str], dict[str, list[str]]]:
    """The dependencies and optional dependencies in pyproject.toml, as hatchling reads them."""
    core = ProjectMetadata(str(REPO), None).core
    return list(core.dependencies), {name: list(reqs) for name, reqs in core.optional_dependencies.items()}


def providers(module: str, distributions: dict[str, list[str]]) -> set[str]:
    return {canonicalize_name(name) for name in distributions.get(module, [])}


def missing_imports(files: Iterable[Path], allowed: set[str], also_named: set[str] = frozenset()) -> list[str]:
    """One line per import that no distribution in ``allowed`` provides.

    ``also_named`` are declared requirements that need not be installed here (the benchmark extras): a
    module not installed at all passes if one of them has its name.
    """
    distributions = importlib.metadata.packages_distributions()
    problems = []
    for path in files:
        for module in sorted(third_party_imports(path)):
            provided_by = providers(module, distributions)
            if provided_by & allowed or (not provided_by and canonicalize_name(module) in also_named):
                continue
            found = f"provided by {', '.join(sorted(provided_by))}" if provided_by else "not installed here"
            problems.append(f"{path.relative_to(REPO)} imports {module} ({found})")
    return problems


def test_the_scanner_sees_imports_of_every_kind(tmp_path: Path):
    source = tmp_path / "sample.py"
    source.write_text(
        "import os, numpy.linalg\nfrom IPython.display import HTML\nfrom . import sibling\n"
        "import helper\npytest.importorskip('hatchling')\ndef f():\n    import yaml\n"
    )
    (tmp_path / "helper.py").write_text("")
    assert third_party_imports(source) == {"numpy", "IPython", "hatchling", "yaml"}


def test_the_closure_follows_requirements_and_their_extras():
    names, not_installed = requirement_closure(["pytest", "no-such-distribution-here>=1"])
    assert {"pytest", "pluggy", "iniconfig"} <= names
    assert not_installed == ["no-such-distribution-here>=1"]


def test_every_import_is_installed_by_the_dependencies_or_the_test_extras():
    dependencies, extras = declared()
    allowed, not_installed = requirement_closure([*dependencies, *extras["test"]])
    assert not not_installed, (
        f"declared requirements not installed: {', '.join(not_installed)}; run pip install -e '.[test]'"
    )
    files = [p for p in python_files() if BENCHMARKS not in p.parents]
    problems = missing_imports(files, allowed)
    assert not problems, (
        "imported but installed by neither the dependencies nor the test extras in pyproject.toml (add the "
        "distribution there):\n" + "\n".join(problems)
    )


def test_every_benchmark_import_is_declared_in_the_test_or_benchmark_extras():
    dependencies, extras = declared()
    allowed, _ = requirement_closure([*dependencies, *extras["test"]])
    benchmark_allowed, _ = requirement_closure(extras["benchmark"])
    benchmark_names = {canonicalize_name(Requirement(text).name) for text in extras["benchmark"]}
    files = [p for p in python_files() if BENCHMARKS in p.parents]
    problems = missing_imports(files, allowed | benchmark_allowed, also_named=benchmark_names)
    problems = [p for p in problems if p.split(" imports ")[1].split()[0] not in BENCHMARK_BASELINES]
    assert not problems, "add the distribution to the benchmark extras in pyproject.toml:\n" + "\n".join(problems)
