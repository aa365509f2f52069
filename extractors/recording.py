"""A recording read from a content-addressed store: a JSON manifest, then its trace chunks, lazily."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from spikeinterface.core import BaseRecording, BaseRecordingSegment

from spikeinterface_sortingview.store import CorruptFileError, FileNotInStoreError, RemoteStore, StatKey, stat_key

from .by_reference import EXTRACTOR_FORMAT, EXTRACTOR_FORMAT_VERSION, ReferencedRecordingSegment, open_description
from .encoding import decode_array, decode_value
from .sources import open_store

RECORDING_FORMAT = "spikeinterface-sortingview/recording"
RECORDING_FORMAT_VERSION = 1

# Open chunks kept per extractor. Chunks are memory maps of files in the local store, so a
# cached chunk costs address space, not memory; the page cache holds the bytes.
CHUNK_CACHE_SIZE = 32
# Chunks of one window fetched at the same time from an HTTP source.
PARALLEL_DOWNLOADS = 4


class ManifestError(ValueError):
    """A URI that does not name a manifest of the expected kind."""


class StoreRecordingExtractor(BaseRecording):
    """A recording shared by URI: traces in chunks of a content-addressed store, read only when asked for.

    Parameters
    ----------
    manifest_uri : str
        ``sha1://`` URI of the recording's manifest, as returned by ``share_recording``.
    source_url : str | None
        Base URL of a runner to fetch files missing from the local store (see
        ``extractors.sources``). ``$SORTINGVIEW_REMOTE`` is also consulted.

    Notes
    -----
    The kwargs hold the URI and the source URL only, so ``to_dict()``, ``spikeinterface.load``,
    pickling and Ray round-trip the extractor in any process that can reach the store.
    ``get_traces`` opens only the chunks the requested window overlaps.
    """

    def __init__(self, manifest_uri: str, source_url: str | None = None):
        store = open_store(source_url)
        manifest = load_manifest(store, manifest_uri, RECORDING_FORMAT, by_reference=True)
        self._chunks = None
        # the extractor a by-reference manifest rebuilds (its segments are read through this one's)
        self._referenced = None
        if manifest["format"] == EXTRACTOR_FORMAT:
            self._open_by_reference(manifest, store, manifest_uri, source_url)
        else:
            self._open_chunks(manifest, store, manifest_uri)

        for name, encoded in manifest["properties"].items():
            self.set_property(name, decode_array(encoded))
        self.annotate(**decode_value(manifest["annotations"]))
        if manifest.get("probegroup") is not None:
            # Same as SpikeInterface's own loading: the stored probegroup is already in channel order.
            self._extra_metadata_from_dict({"probegroup": decode_value(manifest["probegroup"])})

        self._kwargs = {"manifest_uri": manifest_uri, "source_url": source_url}

    def _open_by_reference(self, manifest: dict, store: RemoteStore, manifest_uri: str, source_url: str | None):
        """A file-backed SpikeInterface extractor or a chain of steps, rebuilt lazily (``by_reference.py``)."""
        referenced = open_description(manifest["extractor"], store, source_url)
        if not isinstance(referenced, BaseRecording):
            raise ManifestError(f"{manifest_uri} describes a {type(referenced).__name__}, not a recording")
        BaseRecording.__init__(
            self, referenced.get_sampling_frequency(), referenced.get_channel_ids(), referenced.get_dtype()
        )
        for segment in referenced.segments:
            self.add_recording_segment(ReferencedRecordingSegment(segment))
        self._referenced = referenced

    def _open_chunks(self, manifest: dict, store: RemoteStore, manifest_uri: str) -> None:
        channel_ids = decode_array(manifest["channel_ids"])
        dtype = np.dtype(manifest["dtype"])
        BaseRecording.__init__(self, manifest["sampling_frequency"], channel_ids, dtype)

        chunks = ChunkCache(store, manifest_uri, len(channel_ids), dtype, manifest["chunk_size"])
        for segment_index, segment in enumerate(manifest["segments"]):
            time_vector = None
            if segment.get("time_vector_uri"):
                time_vector = np.load(store.file_path(segment["time_vector_uri"]), mmap_mode="r")
            self.add_recording_segment(
                StoreRecordingSegment(
                    chunks,
                    segment_index,
                    segment,
                    sampling_frequency=None if time_vector is not None else manifest["sampling_frequency"],
                    t_start=segment.get("t_start"),
                    time_vector=time_vector,
                )
            )
        self._chunks = chunks

    @property
    def manifest_uri(self) -> str:
        """The URI this recording was opened from (share it to share the recording)."""
        return self._kwargs["manifest_uri"]


class StoreRecordingSegment(BaseRecordingSegment):
    """One segment: ``num_samples`` samples in consecutive chunks of ``chunk_size`` samples (the last shorter)."""

    def __init__(self, chunks: ChunkCache, segment_index: int, segment: dict, **time_kwargs):
        BaseRecordingSegment.__init__(self, **time_kwargs)
        self._chunks = chunks
        self._segment_index = segment_index
        self._segment = segment
        self._num_samples = int(segment["num_samples"])

    def get_num_samples(self) -> int:
        return self._num_samples

    def get_traces(
        self,
        start_frame: int | None = None,
        end_frame: int | None = None,
        channel_indices: list | np.ndarray | slice | None = None,
    ) -> np.ndarray:
        start = 0 if start_frame is None else int(start_frame)
        end = self._num_samples if end_frame is None else min(int(end_frame), self._num_samples)
        columns = slice(None) if channel_indices is None else channel_indices
        chunk_size = self._chunks.chunk_size
        indices = range(start // chunk_size, (end - 1) // chunk_size + 1 if end > start else 0)
        pieces = []
        chunks = self._chunks.get_many(self._segment_index, self._segment, indices)
        for chunk_index, chunk in zip(indices, chunks, strict=True):
            offset = chunk_index * chunk_size
            pieces.append(chunk[max(start, offset) - offset : min(end, offset + chunk_size) - offset, columns])
        if not pieces:
            empty = np.zeros((0, self._chunks.num_channels), dtype=self._chunks.dtype)
            return empty[:, columns]
        if len(pieces) == 1:
            return np.asarray(pieces[0])
        return np.concatenate(pieces, axis=0)


class ChunkCache:
    """The chunks of a recording as arrays, opened on first use and kept in a small LRU cache.

    A chunk is found, in order: as its own file in the local store; as a byte range of a
    file registered in place in the local store; from an HTTP source (as a range of the
    registered file, or as its own file), checked against the chunk's hash and cached.
    """

    def __init__(self, store: RemoteStore, manifest_uri: str, num_channels: int, dtype: np.dtype, chunk_size: int):
        self.store = store
        self.manifest_uri = manifest_uri
        self.num_channels = num_channels
        self.dtype = dtype
        self.chunk_size = int(chunk_size)
        # (segment, chunk) -> (memory map of the chunk, the state of its file when it was checked)
        self._cache: OrderedDict[tuple[int, int], tuple[np.memmap, StatKey]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, segment_index: int, segment: dict, chunk_indices: range) -> list[np.ndarray]:
        """Several chunks; those to download come over parallel requests rather than one after another."""
        if len(chunk_indices) > 1 and self.store.sources:
            with self._lock:
                missing = [i for i in chunk_indices if (segment_index, i) not in self._cache]
            if len(missing) > 1 and not all(self.store.local.has(segment["chunks"][i]) for i in missing):
                with ThreadPoolExecutor(max_workers=min(len(missing), PARALLEL_DOWNLOADS)) as pool:
                    list(pool.map(lambda i: self.get(segment_index, segment, i), missing))
        return [self.get(segment_index, segment, i) for i in chunk_indices]

    def get(self, segment_index: int, segment: dict, chunk_index: int) -> np.ndarray:
        """Chunk ``chunk_index`` of a segment as a ``(samples, channels)`` array."""
        key = (segment_index, chunk_index)
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
        # A kept chunk is used only while its file is as it was when checked (a stat): a file changed since
        # is opened again, which checks it again (and refuses it if its bytes no longer match).
        if entry is not None and stat_key(os.stat(entry[0].filename)) == entry[1]:
            return entry[0]
        # Opened outside the lock: a download must not block readers of other chunks.
        chunk = self._open(segment_index, segment, chunk_index)
        with self._lock:
            self._cache[key] = (chunk, stat_key(os.stat(chunk.filename)))
            while len(self._cache) > CHUNK_CACHE_SIZE:
                self._cache.popitem(last=False)
        return chunk

    def _open(self, segment_index: int, segment: dict, chunk_index: int) -> np.ndarray:
        uri = segment["chunks"][chunk_index]
        num_samples = min(self.chunk_size, int(segment["num_samples"]) - chunk_index * self.chunk_size)
        frame_bytes = self.num_channels * self.dtype.itemsize
        shape = (num_samples, self.num_channels)
        local = self.store.local

        path = local.file_path(uri)
        if path is not None:
            _check_size(path, num_samples * frame_bytes, uri, exact=True)
            return np.memmap(path, dtype=self.dtype, mode="r", shape=shape)

        file = segment.get("file")
        range_start = range_end = None
        if file is not None:
            range_start = int(file["offset"]) + chunk_index * self.chunk_size * frame_bytes
            range_end = range_start + num_samples * frame_bytes
            file_path = local.file_path(file["uri"])
            if file_path is not None:
                _check_size(file_path, range_end, file["uri"], exact=False)
                return np.memmap(file_path, dtype=self.dtype, mode="r", offset=range_start, shape=shape)

        try:
            path = self.store.file_path(uri, file["uri"] if file else None, range_start, range_end)
        except FileNotInStoreError as e:
            message = self._missing_message(segment_index, chunk_index, uri, file, range_start, range_end, e)
            raise FileNotInStoreError(message) from None
        _check_size(path, num_samples * frame_bytes, uri, exact=True)
        return np.memmap(path, dtype=self.dtype, mode="r", shape=shape)

    def _missing_message(
        self,
        segment_index: int,
        chunk_index: int,
        uri: str,
        file: dict | None,
        range_start: int | None,
        range_end: int | None,
        error: FileNotInStoreError,
    ) -> str:
        """Which chunk is missing, where it was looked for, and how to fix it."""
        what = uri
        if file is not None:
            what += f" (bytes {range_start}-{range_end} of {file['uri']}, a file registered in place by its owner)"
        message = (
            f"Cannot read chunk {chunk_index} of segment {segment_index} of recording {self.manifest_uri}: "
            f"{what} was looked for in {self.store.where()}, and is in none of them."
        )
        reference = self.store.local.reference(file["uri"]) if file is not None else None
        if reference is not None:
            message += (
                f" The file registered here is unusable: {reference.changed_on_disk()}. "
                "If it was changed on purpose, share the recording again."
            )
        if self.store.sources:
            message += f" ({error})"
        else:
            message += (
                " Fix: open it with source_url='http://<runner>:<port>' (or set SORTINGVIEW_REMOTE) to fetch from "
                "the machine that shared it, or set SORTINGVIEW_STORE_DIR to a store that holds it."
            )
        return message


def load_manifest(
    store: RemoteStore, uri: str, expected_format: str, versions: tuple[int, ...] = (1,), by_reference: bool = False
) -> dict:
    """Read a manifest and check that it is of the expected format and one of the ``versions`` this code reads.

    With ``by_reference``, an extractor manifest (``by_reference.py``) of the same kind is accepted too.
    """
    try:
        manifest = store.load_json(uri)
    except FileNotInStoreError as e:
        if store.sources:
            message = f"Cannot open {uri}: it is not in the local store at {store.local.directory}; {e}"
            if expected_format == RECORDING_FORMAT:
                # The usual cause on a runner that received a published figure: the recording stayed behind.
                message += (
                    ". A figure published without include_recording=True has no recording on that runner, so its "
                    "live traces and waveforms are unavailable there; publish it again with include_recording=True"
                )
            raise FileNotInStoreError(message) from None
        raise FileNotInStoreError(
            f"Cannot open {uri}: {e}. Fix: pass source_url='http://<runner>:<port>' (or set SORTINGVIEW_REMOTE) "
            "to fetch it from the machine that shared it, or set SORTINGVIEW_STORE_DIR to a store that holds it."
        ) from None
    except ValueError as e:
        raise ManifestError(f"{uri} is not a {expected_format} manifest (not JSON: {e})") from None
    if by_reference and isinstance(manifest, dict) and manifest.get("format") == EXTRACTOR_FORMAT:
        expected_format, versions = EXTRACTOR_FORMAT, (EXTRACTOR_FORMAT_VERSION,)
    if not isinstance(manifest, dict) or manifest.get("format") != expected_format:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ManifestError(f"{uri} is not a {expected_format} manifest (it holds {found!r})")
    if manifest.get("version") not in versions:
        readable = " and ".join(str(v) for v in versions)
        raise ManifestError(
            f"{uri} is a {expected_format} manifest of version {manifest.get('version')}; this version of "
            f"spikeinterface-sortingview reads version {readable}. Upgrade the package."
        )
    return manifest


def _check_size(path: Path, end: int, uri: str, exact: bool) -> None:
    """Refuse a file too short (or, for a chunk file, of another size) for the bytes the manifest says it holds."""
    size = path.stat().st_size
    if size < end or (exact and size != end):
        raise CorruptFileError(f"{path} holds {size} bytes, but the manifest expects {end} bytes of {uri} there")
