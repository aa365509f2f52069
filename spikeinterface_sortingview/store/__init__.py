"""Content-addressed storage: a local folder by default (kachery layout)."""

from ..config import get_config
from .local import CorruptFileError, FileNotInStoreError, LocalStore, StoreError, write_atomic
from .uri import InvalidUriError, parse_uri, relative_path, sha1_hex, sha1_uri


def default_store() -> LocalStore:
    """The store named by the configuration (``SORTINGVIEW_STORE_DIR`` or the config file)."""
    return LocalStore(get_config().store_dir)


__all__ = [
    "CorruptFileError",
    "FileNotInStoreError",
    "InvalidUriError",
    "LocalStore",
    "StoreError",
    "default_store",
    "parse_uri",
    "relative_path",
    "sha1_hex",
    "sha1_uri",
    "write_atomic",
]
