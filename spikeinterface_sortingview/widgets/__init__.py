"""The ``sortingview`` widget backend: one builder per SpikeInterface widget, registered on import."""

from .publish import publish_view
from .registry import BACKEND, VIEW_BUILDERS, is_registered, register, unregister

__all__ = ["BACKEND", "VIEW_BUILDERS", "is_registered", "publish_view", "register", "unregister"]
