"""Writing a recording into the store: its traces as chunks (or its binary files registered in place) and a manifest."""

from __future__ import annotations

import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from spikeinterface.core import BaseRecording
from spikeinterface.core.job_tools import TimeSeriesChunkExecutor, ensure_chunk_size
from tqdm.auto import tqdm

from spikeinterface_sortingview.store import LocalStore, relative_path, sha1_hex, sha1_uri

from .conversion import TraceConversion, needs_quantisation, quantisation
from .encoding import NotSerializableError, encode_array, encode_value
from .jobs import progress_wanted, resolve_job_kwargs
from .recording import RECORDING_FORMAT, RECORDING_FORMAT_VERSION


class NotInPlaceError(ValueError):
    """``in_place=True`` for an extractor whose data is not in files the store can register as they are."""


def recording_manifest(
    recording: BaseRecording,
    store: LocalStore,
    serialize_dtype: str | np.dtype | None = None,
    in_place: bool | None = None,
    job_kwargs: dict | None = None,
) -> dict:
    """Store the traces of ``recording`` and return the manifest that describes it (not yet stored).

    Parameters
    ----------
    recording : BaseRecording
        The recording to share.
    store : LocalStore
        The store the chunks go to (or the registered files are recorded in).
    serialize_dtype : dtype | None
        Stored dtype; see ``share_recording``.
    in_place : bool | None
        True: register the recording's binary files in place (error if it has none);
        False: always copy the traces; None: in place when possible.
    job_kwargs : dict | None
        SpikeInterface job kwargs (``n_jobs``, ``chunk_duration``, ``progress_bar``, ...).
    """
    source_dtype = recording.get_dtype()
    target_dtype = source_dtype if serialize_dtype is None else np.dtype(serialize_dtype)
    job_kwargs = resolve_job_kwargs(recording, job_kwargs or {})
    chunk_size = _chunk_size(recording, job_kwargs)

    binary = binary_layout(recording, target_dtype)
    if in_place and isinstance(binary, str):
        raise NotInPlaceError(
            f"Cannot share {type(recording).__name__} in place: {binary}. Use in_place=None (copy when needed), "
            "or save the recording first with recording.save(folder=..., format='binary')."
        )
    conversion = None
    if in_place is False or isinstance(binary, str):
        conversion, segments = _copy_traces(recording, store, target_dtype, chunk_size, job_kwargs)
    else:
        segments = _register_binary_files(recording, store, binary, chunk_size, job_kwargs)

    for segment_index, segment in enumerate(segments):
        segment.update(_segment_times(recording, segment_index, store))

    return {
        "format": RECORDING_FORMAT,
        "version": RECORDING_FORMAT_VERSION,
        "sampling_frequency": float(recording.get_sampling_frequency()),
        "channel_ids": encode_array(recording.get_channel_ids(), "channel_ids"),
        "dtype": target_dtype.str,
        "chunk_size": int(chunk_size),
        "segments": segments,
        "properties": properties_of(recording, conversion),
        "annotations": annotations_of(recording),
        "probegroup": probegroup_of(recording),
    }


def _chunk_size(recording: BaseRecording, job_kwargs: dict) -> int:
    sizes = {k: job_kwargs.get(k) for k in ("total_memory", "chunk_size", "chunk_memory", "chunk_duration")}
    if all(v is None for v in sizes.values()):
        # Without any chunking SpikeInterface would take whole segments; a store chunk must stay small.
        sizes["chunk_duration"] = "1s"
    chunk_size = ensure_chunk_size(recording, n_jobs=job_kwargs["n_jobs"], **sizes)
    return max(1, int(chunk_size))


def binary_layout(recording: BaseRecording, target_dtype: np.dtype) -> dict | str:
    """The binary description if the traces are exactly the bytes of files on disk, else why not."""
    if not recording.is_binary_compatible():
        return f"its traces are not read from binary files ({type(recording).__name__} is not binary compatible)"
    description = recording.get_binary_description()
    if description["time_axis"] != 0:
        return "its binary files store channels first (time_axis=1), not samples first"
    if np.dtype(description["dtype"]) != recording.get_dtype():
        return "its binary files hold another dtype than its traces"
    if target_dtype != recording.get_dtype():
        return f"serialize_dtype={target_dtype} asks for a conversion from {recording.get_dtype()}"
    if description["num_channels"] != recording.get_num_channels():
        return "its binary files hold other channels than the recording"
    if len(description["file_paths"]) != recording.get_num_segments():
        return "it does not have one binary file per segment"
    frame_bytes = recording.get_num_channels() * recording.get_dtype().itemsize
    for segment_index, path in enumerate(description["file_paths"]):
        end = description["file_offset"] + recording.get_num_samples(segment_index) * frame_bytes
        if not Path(path).is_file():
            raise FileNotFoundError(
                f"Cannot share {type(recording).__name__}: {path}, the binary file of its segment {segment_index}, "
                "does not exist (deleted or moved?). Nothing was shared; open the recording where the file is now."
            )
        if Path(path).stat().st_size < end:
            return f"{path} is shorter than the segment it holds"
    return description


def _register_binary_files(
    recording: BaseRecording, store: LocalStore, binary: dict, chunk_size: int, job_kwargs: dict
) -> list[dict]:
    """Hash each segment's file in place; the chunks are byte ranges of it, hashed in the same pass."""
    frame_bytes = recording.get_num_channels() * recording.get_dtype().itemsize
    offset = int(binary["file_offset"])
    paths = [Path(p) for p in binary["file_paths"]]
    total = sum(p.stat().st_size for p in paths)
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="share_recording (hashing in place)",
        disable=not progress_wanted(job_kwargs, total),
    )
    segments = []
    try:
        for segment_index, path in enumerate(paths):
            end = offset + recording.get_num_samples(segment_index) * frame_bytes
            file_uri, chunk_uris = store.register_file_in_blocks(
                path, offset, end, chunk_size * frame_bytes, n_jobs=job_kwargs["n_jobs"], progress=bar.update
            )
            segments.append(
                {
                    "num_samples": recording.get_num_samples(segment_index),
                    "chunks": chunk_uris,
                    "file": {"uri": file_uri, "offset": offset},
                }
            )
    finally:
        bar.close()
    return segments


def _copy_traces(
    recording: BaseRecording, store: LocalStore, target_dtype: np.dtype, chunk_size: int, job_kwargs: dict
) -> tuple[TraceConversion, list[dict]]:
    """Read the traces chunk by chunk (in parallel per ``job_kwargs``), convert, and store each chunk."""
    conversion = TraceConversion(target_dtype)
    if needs_quantisation(recording.get_dtype(), target_dtype):
        minimum, maximum = _trace_range(recording, chunk_size, job_kwargs)
        conversion = quantisation(target_dtype, minimum, maximum)

    total = recording.get_total_samples() * recording.get_num_channels() * target_dtype.itemsize
    # Workers hash each chunk and write it to a temporary file (CPU work, in parallel). One
    # background thread then flushes each file to disk and only then renames it to its hash
    # name (it mostly waits on I/O): a hash name never holds bytes that are not on disk, and
    # when the last chunk is written little is left to flush before the manifest is stored.
    results: list[tuple[int, int, str]] = []
    pending: list[str] = []  # temporary files written and not yet renamed
    try:
        with ThreadPoolExecutor(max_workers=1) as finisher:
            finishes = []

            def gather(result: tuple[int, int, str, str | None]) -> None:
                segment_index, start_frame, sha1, temporary = result
                results.append((segment_index, start_frame, sha1_uri(sha1)))
                if temporary is not None:
                    pending.append(temporary)
                    target = store.directory / relative_path(sha1)
                    finishes.append(finisher.submit(_finish_chunk, temporary, target, pending))

            executor = TimeSeriesChunkExecutor(
                recording,
                _write_chunk,
                _init_chunk_writer,
                (recording, str(store.directory), conversion),
                gather_func=gather,
                job_name="share_recording",
                **_executor_kwargs(job_kwargs, chunk_size, progress_wanted(job_kwargs, total)),
            )
            executor.run()
            for finish in finishes:
                finish.result()
    finally:
        # After a failure, no temporary file is left behind (the finisher has stopped by now).
        for temporary in pending:
            _remove(temporary)

    segments = [
        {"num_samples": recording.get_num_samples(i), "chunks": []} for i in range(recording.get_num_segments())
    ]
    for segment_index, _, uri in sorted(results, key=lambda r: (r[0], r[1])):
        segments[segment_index]["chunks"].append(uri)
    return conversion, segments


def _trace_range(recording: BaseRecording, chunk_size: int, job_kwargs: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel minimum and maximum over the whole recording (the first pass of a quantisation)."""
    total = recording.get_total_samples() * recording.get_num_channels() * recording.get_dtype().itemsize
    executor = TimeSeriesChunkExecutor(
        recording,
        _chunk_range,
        _init_range_reader,
        (recording,),
        handle_returns=True,
        job_name="share_recording (trace range for serialize_dtype)",
        **_executor_kwargs(job_kwargs, chunk_size, progress_wanted(job_kwargs, total)),
    )
    results = executor.run()
    return np.min([r[0] for r in results], axis=0), np.max([r[1] for r in results], axis=0)


def _executor_kwargs(job_kwargs: dict, chunk_size: int, progress_bar: bool) -> dict:
    return {
        "n_jobs": job_kwargs["n_jobs"],
        "pool_engine": job_kwargs["pool_engine"],
        "mp_context": job_kwargs.get("mp_context"),
        "max_threads_per_worker": job_kwargs.get("max_threads_per_worker", 1),
        "chunk_size": chunk_size,
        "progress_bar": progress_bar,
    }


# Worker functions live at module level so a process pool can import them.


def _init_chunk_writer(recording: BaseRecording, store_directory: str, conversion: TraceConversion) -> dict:
    return {"recording": recording, "store": LocalStore(store_directory), "conversion": conversion}


def _write_chunk(
    segment_index: int, start_frame: int, end_frame: int, worker: dict
) -> tuple[int, int, str, str | None]:
    """Hash a chunk and write it to a temporary file next to its hash name (None if the store has it already)."""
    traces = worker["recording"].get_traces(segment_index=segment_index, start_frame=start_frame, end_frame=end_frame)
    data = worker["conversion"].apply(traces)
    sha1 = sha1_hex(data)
    target = worker["store"].directory / relative_path(sha1)
    if target.is_file() and target.stat().st_size == data.nbytes:
        return segment_index, start_frame, sha1, None  # stored before (a corrupt copy of another size is replaced)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        _allocate(fd, data.nbytes)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        _remove(temporary)
        raise
    return segment_index, start_frame, sha1, temporary


def _allocate(fd: int, size: int) -> None:
    """Reserve a new file's blocks before writing it: on Linux this saves much of the CPU time of the write.

    Without it the file system allocates blocks page by page as the data arrives (ext4's
    delayed allocation); one up-front extent makes sharing measurably faster.
    """
    if size > 0 and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError:
            pass  # not supported by this file system: the write allocates as usual


def _finish_chunk(temporary: str, target: Path, pending: list[str]) -> None:
    """Flush a chunk's temporary file to disk, then rename it to its hash name (as ``write_atomic`` does)."""
    fd = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
    pending.remove(temporary)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _init_range_reader(recording: BaseRecording) -> dict:
    return {"recording": recording}


def _chunk_range(segment_index: int, start_frame: int, end_frame: int, worker: dict) -> tuple[np.ndarray, np.ndarray]:
    traces = worker["recording"].get_traces(segment_index=segment_index, start_frame=start_frame, end_frame=end_frame)
    return traces.min(axis=0), traces.max(axis=0)


def _segment_times(recording: BaseRecording, segment_index: int, store: LocalStore) -> dict:
    """A segment's start time, or its time vector stored as a ``.npy`` file."""
    times = recording.segments[segment_index].get_times_kwargs()
    if times.get("time_vector") is not None:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(times["time_vector"]), allow_pickle=False)
        return {"t_start": None, "time_vector_uri": store.store_bytes(buffer.getvalue())}
    t_start = times.get("t_start")
    return {"t_start": None if t_start is None else float(t_start), "time_vector_uri": None}


def properties_of(extractor, conversion: TraceConversion | None = None) -> dict:
    """An extractor's properties, encoded for a manifest (gains adjusted to a quantisation if any)."""
    properties = {name: extractor.get_property(name) for name in extractor.get_property_keys()}
    if conversion is not None and conversion.scale is not None:
        gains = conversion.gains(properties.get("gain_to_uV"), properties.get("offset_to_uV"))
        properties["gain_to_uV"], properties["offset_to_uV"] = gains
    encoded = {}
    for name, values in properties.items():
        try:
            encoded[name] = encode_array(values, f"property {name!r}")
        except NotSerializableError as e:
            raise NotSerializableError(
                f"{e}. Remove it (extractor.delete_property({name!r})) or set it to an array of numbers or strings."
            ) from None
    return encoded


def annotations_of(extractor) -> dict:
    """An extractor's annotations, encoded for a manifest."""
    encoded = {}
    for name in extractor.get_annotation_keys():
        try:
            encoded[name] = encode_value(extractor.get_annotation(name), f"annotation {name!r}")
        except NotSerializableError as e:
            raise NotSerializableError(
                f"{e}. Remove it or set it to plain values (numbers, strings, lists, dicts, arrays)."
            ) from None
    return encoded


def probegroup_of(recording: BaseRecording) -> dict | None:
    if not recording.has_probe():
        return None
    return encode_value(recording.get_probegroup().to_dict(array_as_list=True), "probegroup")
