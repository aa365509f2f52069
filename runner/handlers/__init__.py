"""The runner's compute handlers: plain functions ``handler(task_input, data) -> HandlerResult``, one module per group.

Handlers get URIs and JSON inputs only; they reach recordings and sortings through a
:class:`DataSource`. :data:`HANDLERS` maps each versioned task name to its spec.
"""

from __future__ import annotations

from .data import DataSource, DictDataSource
from .errors import HandlerInputError
from .registry import GROUPS, HANDLERS, HandlerSpec, get_handler, run_handler
from .result import HandlerResult

__all__ = [
    "GROUPS",
    "HANDLERS",
    "DataSource",
    "DictDataSource",
    "HandlerInputError",
    "HandlerResult",
    "HandlerSpec",
    "get_handler",
    "run_handler",
]
