"""The runner's compute handlers: plain functions ``handler(task_input, data) -> HandlerResult``, one module per group.

Every module here but ``registry`` is a task group; :data:`HANDLERS` (``registry.py``) maps each versioned task
name to its spec. Handlers get URIs and JSON inputs only; they reach recordings and sortings through a
:class:`DataSource`. What they are built from (input reading, data access, results) is in ``runner.handler_io``.
"""

from __future__ import annotations

from ..handler_io.data import DataSource, DictDataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.result import HandlerResult
from .registry import GROUPS, HANDLERS, HandlerSpec, get_handler, run_handler

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
