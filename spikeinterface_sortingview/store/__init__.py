"""Content-addressed storage: a local folder by default (kachery layout), files registered in place, runners over HTTP."""

from ..config import get_config
from .http import (
    REMOTE_ENVIRONMENT_VARIABLE,
    AccessRefusedError,
    HttpSource,
    RemoteStore,
    SourceUnreachableError,
    sources_from_environment,
)
from .local import (
    CorruptFileError,
    FileNotInStoreError,
    LocalStore,
    ReferenceChangedError,
    StoreError,
    write_atomic,
)
from .pointers import Pointer, PointerConflictError, list_pointers, read_pointer, swap_pointer
from .references import BlockHashes, FileReference, hash_file
from .uri import InvalidUriError, parse_uri, relative_path, sha1_hex, sha1_uri
from .verified import StatKey, stat_key


def default_store() -> LocalStore:
    """The store named by the configuration (``SORTINGVIEW_STORE_DIR`` or the config file)."""
    return LocalStore(get_config().store_dir)


__all__ = [
    "REMOTE_ENVIRONMENT_VARIABLE",
    "AccessRefusedError",
    "BlockHashes",
    "CorruptFileError",
    "FileNotInStoreError",
    "FileReference",
    "HttpSource",
    "InvalidUriError",
    "LocalStore",
    "Pointer",
    "PointerConflictError",
    "ReferenceChangedError",
    "RemoteStore",
    "SourceUnreachableError",
    "StatKey",
    "StoreError",
    "default_store",
    "hash_file",
    "list_pointers",
    "parse_uri",
    "read_pointer",
    "relative_path",
    "sha1_hex",
    "sha1_uri",
    "sources_from_environment",
    "stat_key",
    "swap_pointer",
    "write_atomic",
]
