"""Handler groups and their concurrency, read from the old ``job_handlers`` YAML format.

```yaml
job_handlers:
  correlograms: {type: parallel, params: {num_workers: 4}}
  timeseries: {type: parallel, params: {num_workers: 4, idle_seconds: 600}}
```

The file is named by ``sv-runner start --config`` or ``SORTINGVIEW_JOB_HANDLER_CONFIG``. Groups left out
keep their defaults; anything unknown is refused at start with the offending key named.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

HANDLER_GROUPS = ("correlograms", "timeseries", "waveforms", "extract_snippets", "clusters", "metrics", "misc")
# Requests a group runs at once by default: one per CPU of this machine, at most 4 (the runner's total of workers
# is capped as well, see executor.default_max_workers).
DEFAULT_NUM_WORKERS = max(1, min(4, os.cpu_count() or 1))
# An idle worker is retired after this long, so that its memory (its loaded recordings) returns.
DEFAULT_IDLE_SECONDS = 300.0
MAX_IDLE_SECONDS = 7 * 24 * 3600.0
# "parallel": a pool of num_workers Ray workers; "local": one worker (the old in-process handler).
HANDLER_TYPES = ("parallel", "local")
MAX_NUM_WORKERS = 256


class HandlerConfigError(ValueError):
    """A job handler configuration that cannot be used."""


@dataclass(frozen=True)
class HandlerGroupConfig:
    """How one handler group runs: its type, how many requests it runs at once, when an idle worker retires."""

    name: str
    type: str = "parallel"
    num_workers: int = DEFAULT_NUM_WORKERS
    idle_seconds: float = DEFAULT_IDLE_SECONDS


def default_handler_config() -> dict[str, HandlerGroupConfig]:
    return {name: HandlerGroupConfig(name) for name in HANDLER_GROUPS}


def parse_handler_config(content: object, source: str = "job handler config") -> dict[str, HandlerGroupConfig]:
    """Validate a parsed YAML document and return the configuration of every group."""
    config = default_handler_config()
    if content is None:
        return config
    if not isinstance(content, dict) or set(content) != {"job_handlers"}:
        keys = sorted(content) if isinstance(content, dict) else type(content).__name__
        raise HandlerConfigError(f"{source}: expected one top-level key 'job_handlers', got {keys}")
    groups = content["job_handlers"] or {}
    if not isinstance(groups, dict):
        raise HandlerConfigError(f"{source}: 'job_handlers' must map group names to settings")
    for name, settings in groups.items():
        where = f"{source}: job_handlers.{name}"
        if name not in HANDLER_GROUPS:
            raise HandlerConfigError(f"{where}: unknown handler group; known groups are {', '.join(HANDLER_GROUPS)}")
        settings = settings or {}
        if not isinstance(settings, dict):
            raise HandlerConfigError(
                f"{where}: expected a mapping such as {{type: parallel, params: {{num_workers: 4}}}}"
            )
        unknown = set(settings) - {"type", "params"}
        if unknown:
            raise HandlerConfigError(f"{where}.{sorted(unknown)[0]}: unknown key; allowed keys are type and params")
        kind = settings.get("type", "parallel")
        if kind not in HANDLER_TYPES:
            raise HandlerConfigError(f"{where}.type: {kind!r} is not one of {', '.join(HANDLER_TYPES)}")
        params = settings.get("params") or {}
        if not isinstance(params, dict):
            raise HandlerConfigError(f"{where}.params: expected a mapping such as {{num_workers: 4}}")
        unknown = set(params) - {"num_workers", "idle_seconds"}
        if unknown:
            raise HandlerConfigError(
                f"{where}.params.{sorted(unknown)[0]}: unknown parameter; allowed: num_workers, idle_seconds"
            )
        num_workers = params.get("num_workers", DEFAULT_NUM_WORKERS if kind == "parallel" else 1)
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or not 1 <= num_workers <= MAX_NUM_WORKERS:
            raise HandlerConfigError(
                f"{where}.params.num_workers: must be an integer from 1 to {MAX_NUM_WORKERS}, got {num_workers!r}"
            )
        if kind == "local" and num_workers != 1:
            raise HandlerConfigError(f"{where}.params.num_workers: a 'local' handler has exactly 1 worker")
        idle_seconds = params.get("idle_seconds", DEFAULT_IDLE_SECONDS)
        if isinstance(idle_seconds, bool) or not isinstance(idle_seconds, (int, float)):
            idle_seconds = -1.0  # refused just below, with the value shown
        if not 0 < idle_seconds <= MAX_IDLE_SECONDS:
            raise HandlerConfigError(
                f"{where}.params.idle_seconds: must be a number of seconds above 0 and at most {MAX_IDLE_SECONDS:g}, "
                f"got {params.get('idle_seconds')!r}"
            )
        config[name] = HandlerGroupConfig(name, kind, num_workers, float(idle_seconds))
    return config


def load_handler_config(path: str | Path | None = None) -> dict[str, HandlerGroupConfig]:
    """Read the config named by ``path`` or ``$SORTINGVIEW_JOB_HANDLER_CONFIG``; defaults when neither is set."""
    if path is None:
        path = os.environ.get("SORTINGVIEW_JOB_HANDLER_CONFIG") or None
    if path is None:
        return default_handler_config()
    path = Path(path).expanduser()
    try:
        text = path.read_text()
    except OSError as e:
        raise HandlerConfigError(f"cannot read job handler config {path}: {e.strerror}") from e
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise HandlerConfigError(f"job handler config {path} is not valid YAML: {e}") from e
    return parse_handler_config(content, source=str(path))
