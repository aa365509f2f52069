"""How handlers reach data: recordings and sortings by URI, loaded lazily and kept warm, and the journal folder."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from spikeinterface.core import BaseRecording, BaseSorting

import extractors

from .errors import HandlerInputError
from .spikes import SpikeTrains

T = TypeVar("T")

# Loaded extractors are lazy (traces stay on disk), so keeping a few dozen costs little;
# derived values (spike trains, noise levels) are bounded by the same count.
DEFAULT_CACHE_SIZE = 32


class DataSource:
    """Recordings and sortings by URI for handlers, cached for the life of the process (e.g. a Ray actor).

    Parameters
    ----------
    journal_dir : str | Path | None
        Folder of the curation journals; ``None`` on a runner that takes no curation actions.
    cache_size : int
        How many loaded objects (and, separately, derived values) to keep.

    Notes
    -----
    Thread-safe: a handler may run in several threads of one process. Subclasses change where
    objects come from by overriding :meth:`load_recording` and :meth:`load_sorting`.
    """

    def __init__(self, journal_dir: str | Path | None = None, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._journal_dir = Path(journal_dir) if journal_dir is not None else None
        self._cache_size = cache_size
        self._objects: OrderedDict[tuple, Any] = OrderedDict()
        self._derived: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()

    def __getstate__(self) -> dict:
        # Sent to another process (e.g. a Ray task's argument): the settings travel, the caches
        # and the lock do not.
        state = self.__dict__.copy()
        state["_objects"], state["_derived"] = OrderedDict(), OrderedDict()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ what subclasses override

    def load_recording(self, uri: str) -> BaseRecording:
        """Load a recording (uncached); the default reads it through ``extractors``."""
        try:
            return extractors.load_recording(uri)
        except (FileNotFoundError, ValueError) as error:
            raise HandlerInputError(f"cannot load the recording {uri!r}: {error}") from error

    def load_sorting(self, uri: str) -> BaseSorting:
        """Load a sorting (uncached); the default reads it through ``extractors``."""
        try:
            return extractors.load_sorting(uri)
        except (FileNotFoundError, ValueError) as error:
            raise HandlerInputError(f"cannot load the sorting {uri!r}: {error}") from error

    # ------------------------------------------------------------------ what handlers call

    @property
    def journal_dir(self) -> Path:
        """The folder holding curation journals (created on first use)."""
        if self._journal_dir is None:
            raise HandlerInputError("this runner keeps no curation journals; start it with a journal folder")
        self._journal_dir.mkdir(parents=True, exist_ok=True)
        return self._journal_dir

    def recording(self, uri: str) -> BaseRecording:
        """The recording at ``uri``."""
        recording = self._cached(self._objects, ("recording", uri), lambda: self.load_recording(uri))
        if not isinstance(recording, BaseRecording):
            raise HandlerInputError(f"{uri!r} is not a recording (it is a {type(recording).__name__})")
        return recording

    def sorting(self, uri: str) -> BaseSorting:
        """The sorting at ``uri``."""
        sorting = self._cached(self._objects, ("sorting", uri), lambda: self.load_sorting(uri))
        if isinstance(sorting, extractors.StoreSortingExtractor) and not sorting.files_unchanged():
            # Its spike file changed on disk after it was checked: open it again, which checks it again.
            with self._lock:
                self._objects.pop(("sorting", uri), None)
                self._derived.pop(("spike_trains", uri), None)
            sorting = self._cached(self._objects, ("sorting", uri), lambda: self.load_sorting(uri))
        if not isinstance(sorting, BaseSorting):
            raise HandlerInputError(f"{uri!r} is not a sorting (it is a {type(sorting).__name__})")
        return sorting

    def spike_trains(self, sorting_uri: str) -> SpikeTrains:
        """Per-unit spike trains of the sorting at ``sorting_uri``, built once."""
        sorting = self.sorting(sorting_uri)  # first: a sorting whose file changed is opened (and checked) again
        return self.derived(("spike_trains", sorting_uri), lambda: SpikeTrains(sorting))

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from the data once and kept (e.g. noise levels of a recording)."""
        return self._cached(self._derived, key, compute)

    # ------------------------------------------------------------------ the cache

    def _cached(self, cache: OrderedDict, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        # Computed outside the lock: loading may be slow and other keys should not wait.
        # Two threads may compute the same key once each; the values are equal.
        value = compute()
        with self._lock:
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > self._cache_size:
                cache.popitem(last=False)
        return value


class DictDataSource(DataSource):
    """A data source over objects already in memory, ``{uri: recording or sorting}`` (tests, notebooks).

    Parameters
    ----------
    objects : Mapping[str, BaseRecording | BaseSorting]
        The objects by URI.
    journal_dir : str | Path | None
        Folder of the curation journals.
    """

    def __init__(self, objects: Mapping[str, BaseRecording | BaseSorting], journal_dir: str | Path | None = None):
        super().__init__(journal_dir=journal_dir)
        self.objects = dict(objects)

    def load_recording(self, uri: str) -> BaseRecording:
        return self._lookup(uri, "recording")

    def load_sorting(self, uri: str) -> BaseSorting:
        return self._lookup(uri, "sorting")

    def _lookup(self, uri: str, kind: str) -> Any:
        if uri not in self.objects:
            raise HandlerInputError(f"no {kind} with URI {uri!r}; share it first and send the URI it was given")
        return self.objects[uri]
