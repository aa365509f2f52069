"""Recordings and sortings shared by reference: SpikeInterface's own description of an extractor, not its data.

Two kinds of extractor are shared this way (``docs/shared-data.md``, "Extractor manifest"):

- a file-backed extractor of SpikeInterface (NWB recordings and sortings, MDA sortings): its file is
  registered in place and its kwargs are kept, with the file's URI instead of its path;
- a chain of SpikeInterface steps (``bandpass_filter``, ``common_reference``, ``select_units``, ...):
  SpikeInterface's own ``to_dict()`` of each step, over bases shared on their own (binary files and
  NWB files registered in place, or recordings and sortings already in the store). Opening the
  manifest rebuilds the chain, which computes lazily as SpikeInterface's does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spikeinterface.core import BaseRecording, BaseRecordingSegment, BaseSortingSegment
from spikeinterface.core.base import BaseExtractor
from spikeinterface.core.core_tools import check_json

from spikeinterface_sortingview.store import FileNotInStoreError, LocalStore, RemoteStore

EXTRACTOR_FORMAT = "spikeinterface-sortingview/extractor"
EXTRACTOR_FORMAT_VERSION = 1

# File-backed SpikeInterface extractors shared in place: the class and the kwarg that names its file.
FILE_EXTRACTORS = {
    "spikeinterface.extractors.nwbextractors.NwbRecordingExtractor": "file_path",
    "spikeinterface.extractors.nwbextractors.NwbSortingExtractor": "file_path",
    "spikeinterface.extractors.mdaextractors.MdaSortingExtractor": "file_path",
}
STORE_RECORDING_CLASS = "extractors.recording.StoreRecordingExtractor"
STORE_SORTING_CLASS = "extractors.sorting.StoreSortingExtractor"
# Stands for a file path in a stored description: {"__store_file__": "sha1://..."}.
FILE_PLACEHOLDER = "__store_file__"
# Modules whose classes a stored description may name. Loading a description imports the module it names and
# calls the class with the stored kwargs, so a description from an untrusted store naming any class would run
# any code importable here (e.g. a class whose constructor runs a command). SpikeInterface's extractors and
# ours only read data.
ALLOWED_CLASS_PREFIXES = ("spikeinterface.",)
ALLOWED_CLASSES = frozenset({STORE_RECORDING_CLASS, STORE_SORTING_CLASS})


class NotByReference(ValueError):
    """An extractor that cannot be shared by reference (the message says why); it is copied instead."""


class DisallowedClassError(ValueError):
    """A stored description naming a class outside SpikeInterface and this package's store extractors."""


def class_name(extractor: BaseExtractor) -> str:
    """The full import path of an extractor's class, as SpikeInterface's ``to_dict`` writes it."""
    return f"{type(extractor).__module__}.{type(extractor).__name__}"


def reference_description(
    extractor: BaseExtractor, store: LocalStore, share_base: Callable[[BaseExtractor], str]
) -> dict:
    """The JSON description of ``extractor`` for an extractor manifest.

    Parameters
    ----------
    extractor : BaseExtractor
        A file-backed extractor of ``FILE_EXTRACTORS``, or a chain of SpikeInterface steps.
    store : LocalStore
        Where files are registered in place.
    share_base : callable
        Shares a base of a chain in place and returns its manifest URI (raises ``NotByReference`` when it
        cannot be).

    Raises
    ------
    NotByReference
        When the extractor is neither (e.g. a generated recording, or a chain over one).
    """
    name = class_name(extractor)
    if name in FILE_EXTRACTORS:
        return check_json(_file_node(extractor, name, store))
    if not _parents(extractor):
        raise NotByReference(f"{type(extractor).__name__} reads no file that can be registered in place")
    return check_json(_chain_node(extractor, store, share_base))


def _file_node(extractor: BaseExtractor, name: str, store: LocalStore) -> dict:
    kwarg = FILE_EXTRACTORS[name]
    kwargs = extractor._kwargs
    if kwargs.get("stream_mode") or kwargs.get("file") is not None:
        raise NotByReference(f"{type(extractor).__name__} streams its data instead of reading a local file")
    path = Path(kwargs[kwarg])
    if not path.is_file():
        raise FileNotFoundError(
            f"Cannot share {type(extractor).__name__}: its file {path} does not exist (deleted or moved?). "
            "Nothing was shared; open the extractor again on the file where it is now."
        )
    description = _node(extractor)
    description["kwargs"][kwarg] = {FILE_PLACEHOLDER: store.register_file(path, label=path.name)}
    if name.endswith("NwbSortingExtractor") and description["kwargs"].get("electrical_series_path") is not None:
        # SpikeInterface 0.105 keeps the time base it read from the series in its kwargs, and then refuses
        # series and time base together when the kwargs are used again: the series gives it again.
        description["kwargs"].update(t_start=None, sampling_frequency=None)
    return description


def _chain_node(extractor: BaseExtractor, store: LocalStore, share_base: Callable[[BaseExtractor], str]) -> dict:
    name = class_name(extractor)
    if not name.startswith(ALLOWED_CLASS_PREFIXES):
        raise NotByReference(f"{name} is not a SpikeInterface class; only SpikeInterface's steps are shared as chains")
    if not extractor._serializability.get("json", False):
        raise NotByReference(f"SpikeInterface marks {type(extractor).__name__} as not serializable to JSON")
    description = _node(extractor)
    kwargs = {}
    for key, value in extractor._kwargs.items():
        if isinstance(value, BaseExtractor):
            kwargs[key] = _describe(value, store, share_base)
        elif isinstance(value, list):
            kwargs[key] = [_describe(v, store, share_base) if isinstance(v, BaseExtractor) else v for v in value]
        elif isinstance(value, dict):
            kwargs[key] = {
                k: _describe(v, store, share_base) if isinstance(v, BaseExtractor) else v for k, v in value.items()
            }
        else:
            kwargs[key] = value
    description["kwargs"] = kwargs
    return description


def _describe(extractor: BaseExtractor, store: LocalStore, share_base: Callable[[BaseExtractor], str]) -> dict:
    """A parent in a chain: a further step, or a base shared on its own and named by its manifest URI."""
    if _parents(extractor):
        return _chain_node(extractor, store, share_base)
    uri = share_base(extractor)
    store_class = STORE_RECORDING_CLASS if isinstance(extractor, BaseRecording) else STORE_SORTING_CLASS
    return {
        "class": store_class,
        "module": "extractors",
        "version": "1",
        "relative_paths": False,
        "annotations": {},
        "properties": {},
        "kwargs": {"manifest_uri": uri, "source_url": None},
    }


def _node(extractor: BaseExtractor) -> dict:
    """SpikeInterface's ``to_dict()`` of one node, without metadata (the manifest keeps the top's exactly)."""
    description = extractor.to_dict(include_extra_metadata=False)
    description["kwargs"] = dict(description["kwargs"])
    description["annotations"] = {}
    description["properties"] = {}
    return description


def _parents(extractor: BaseExtractor) -> list[BaseExtractor]:
    """The extractors among an extractor's kwargs (directly, or in a list or dict), as SpikeInterface nests them."""
    found = []
    for value in extractor._kwargs.values():
        values = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        found += [v for v in values if isinstance(v, BaseExtractor)]
    return found


def open_description(description: dict, store: RemoteStore, source_url: str | None) -> BaseExtractor:
    """Rebuild the extractor a description names: check every class against the allow-list, resolve files.

    Raises
    ------
    DisallowedClassError
        A class outside SpikeInterface (and this package's two store extractors).
    FileNotInStoreError
        A file registered in place that is gone or changed, naming it, or a file no source has.
    """
    resolved = _resolve(description, store, source_url)
    return BaseExtractor.from_dict(resolved)


def _resolve(value: Any, store: RemoteStore, source_url: str | None) -> Any:
    if isinstance(value, list):
        return [_resolve(v, store, source_url) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {FILE_PLACEHOLDER}:
        return str(_file_path(value[FILE_PLACEHOLDER], store))
    if "class" in value:
        _check_class(value["class"])
        _check_base(value)
    resolved = {k: _resolve(v, store, source_url) for k, v in value.items()}
    if value.get("class") in ALLOWED_CLASSES:
        # the base is read from where this chain was opened from
        resolved["kwargs"] = {**resolved["kwargs"], "source_url": source_url}
    return resolved


def _check_class(name: object) -> None:
    """Refuse a class outside the allow-list, and anything there that is not an extractor class.

    SpikeInterface calls whatever the name resolves to with the stored kwargs: a function of
    ``spikeinterface.*`` (``run_sorter``) would run too, so the name must resolve to an extractor class.
    """
    allowed = isinstance(name, str) and (name in ALLOWED_CLASSES or name.startswith(ALLOWED_CLASS_PREFIXES))
    if allowed:
        module_name, _, attribute = name.rpartition(".")
        try:
            found = getattr(importlib.import_module(module_name), attribute, None)
        except ImportError:
            found = None
        allowed = isinstance(found, type) and issubclass(found, BaseExtractor)
    if not allowed:
        raise DisallowedClassError(
            f"the stored description names {name!r}; only extractor classes of SpikeInterface "
            f"({ALLOWED_CLASS_PREFIXES[0]}*) and this package's store extractors are opened"
        )


def _check_base(node: dict) -> None:
    """Refuse a base that reads a path written in the description rather than a file of the store.

    Bases are written as store extractors or as ``FILE_EXTRACTORS`` whose file is a store URI. A forged
    description with, say, a binary recording of ``~/.ssh/id_rsa`` would otherwise let whoever can store
    a file on a runner read any file the runner can, through a traces window.
    """
    name, kwargs = node["class"], node.get("kwargs")
    if name in ALLOWED_CLASSES or not isinstance(kwargs, dict):
        return
    values = [v for value in kwargs.values() for v in (value if isinstance(value, list) else [value])]
    values += [v for value in kwargs.values() if isinstance(value, dict) for v in value.values()]
    if any(isinstance(v, dict) and "class" in v for v in values):
        return  # a step over other extractors, themselves checked
    file_kwarg = FILE_EXTRACTORS.get(name)
    placeholder = kwargs.get(file_kwarg) if file_kwarg else None
    if not (isinstance(placeholder, dict) and set(placeholder) == {FILE_PLACEHOLDER}) or kwargs.get("stream_mode"):
        raise DisallowedClassError(
            f"the stored description has a base {name!r} that does not read a file of the store; bases are "
            "store extractors or NWB/MDA extractors of files registered in place"
        )


def _file_path(uri: str, store: RemoteStore) -> Path:
    """A local file with the bytes of ``uri``: the file registered in place, or a checked copy fetched from a runner."""
    try:
        return store.file_path(uri)
    except FileNotInStoreError as e:
        reference = store.local.reference(uri)
        if reference is not None:
            raise FileNotInStoreError(
                f"{uri} was registered in place from {reference.path}, but {reference.changed_on_disk()}; "
                "put the file back, or share the recording or sorting again from where it is now"
            ) from None
        raise FileNotInStoreError(
            f"{uri} is not in {store.where()}: {e}. Fix: pass source_url='http://<runner>:<port>' (or set "
            "SORTINGVIEW_REMOTE) to fetch it from the machine that shared it."
        ) from None


class ReferencedRecordingSegment(BaseRecordingSegment):
    """A segment of a recording rebuilt from a description: traces come from the rebuilt extractor's segment."""

    def __init__(self, parent: BaseRecordingSegment):
        BaseRecordingSegment.__init__(self, **parent.get_times_kwargs())
        self._parent = parent

    def get_num_samples(self) -> int:
        return self._parent.get_num_samples()

    def get_traces(self, start_frame=None, end_frame=None, channel_indices=None):
        return self._parent.get_traces(start_frame, end_frame, channel_indices)


class ReferencedSortingSegment(BaseSortingSegment):
    """A segment of a sorting rebuilt from a description: spike trains come from the rebuilt extractor's segment."""

    def __init__(self, parent: BaseSortingSegment):
        BaseSortingSegment.__init__(self)
        self._parent = parent

    def get_unit_spike_train(self, unit_id, start_frame, end_frame):
        return self._parent.get_unit_spike_train(unit_id, start_frame, end_frame)
