"""Sharing a figure beyond this machine: publish it to another runner, or export a static copy."""

from .connection import PublishError
from .export import ExportReport, export_figure
from .publish import PublishReport, publish, publish_figure

__all__ = ["ExportReport", "PublishError", "PublishReport", "export_figure", "publish", "publish_figure"]
