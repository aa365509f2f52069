"""Workspaces: recordings and sortings under one stable URI (``sv-workspace://<id>``), editable from several processes."""

from .snapshot import UnknownIdError, WorkspaceError
from .workspace import Workspace, create_workspace, load_workspace, parse_workspace_uri

__all__ = ["UnknownIdError", "Workspace", "WorkspaceError", "create_workspace", "load_workspace", "parse_workspace_uri"]
