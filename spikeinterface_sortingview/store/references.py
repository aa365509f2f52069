"""Files registered in place: a store records where a file is instead of copying it, and hashes it in one pass."""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bytes hashed per step: large enough that the per-call overhead vanishes, small enough to stay in cache
# while the whole-file hash and the block hash both read it.
HASH_PIECE_BYTES = 8 * 1024 * 1024
# Pieces the block-hash thread may lag behind the whole-file hash.
_QUEUED_PIECES = 16


@dataclass(frozen=True)
class BlockHashes:
    """SHA-1 of consecutive blocks of a byte range of a file: ``[start, start + size)``, ... up to ``end``.

    The last block is shorter when ``end - start`` is not a multiple of ``size``.
    """

    start: int
    end: int
    size: int
    sha1: list[str] = field(default_factory=list)

    def layout(self) -> tuple[int, int, int]:
        return (self.start, self.end, self.size)


@dataclass(frozen=True)
class FileReference:
    """Where the bytes of a registered file live, and the state the file was in when it was hashed.

    Attributes
    ----------
    sha1 : str
        SHA-1 of the whole file.
    path : str
        Absolute path of the file.
    size, mtime_ns : int
        The file's size and modification time at registration; a file whose size or
        modification time differ is no longer trusted to hold these bytes.
    blocks : BlockHashes | None
        Hashes of blocks of the file, when they were asked for at registration.
    ctime_ns, inode : int | None
        The file's status-change time and inode at registration (None in references written by
        older versions). A write that restores the modification time (``touch -r``, ``cp -p``)
        still changes the status-change time, and a replaced file has another inode.
    """

    sha1: str
    path: str
    size: int
    mtime_ns: int
    blocks: BlockHashes | None = None
    ctime_ns: int | None = None
    inode: int | None = None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    @staticmethod
    def from_json(data: bytes) -> FileReference:
        d = json.loads(data)
        blocks = BlockHashes(**d["blocks"]) if d.get("blocks") else None
        return FileReference(
            d["sha1"], d["path"], int(d["size"]), int(d["mtime_ns"]), blocks, d.get("ctime_ns"), d.get("inode")
        )

    @staticmethod
    def of(sha1: str, path: str, st: os.stat_result, blocks: BlockHashes | None = None) -> FileReference:
        """The reference of a file hashed while it was in the state ``st``."""
        return FileReference(sha1, path, st.st_size, st.st_mtime_ns, blocks, st.st_ctime_ns, st.st_ino)

    def changed_on_disk(self) -> str | None:
        """Why the file no longer matches this reference (missing, resized, modified), or None if it still does."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return f"{self.path} no longer exists"
        if st.st_size != self.size:
            return f"{self.path} changed size ({self.size} bytes when registered, {st.st_size} now)"
        if st.st_mtime_ns != self.mtime_ns:
            return f"{self.path} was modified after it was registered"
        if self.inode is not None and st.st_ino != self.inode:
            return f"{self.path} was replaced by another file after it was registered"
        if self.ctime_ns is not None and st.st_ctime_ns != self.ctime_ns:
            return f"{self.path} was written to, or its attributes changed, after it was registered"
        return None


def hash_file(
    path: str | Path,
    blocks: tuple[int, int, int] | None = None,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> tuple[str, BlockHashes | None]:
    """SHA-1 of a whole file, and optionally of blocks of a byte range of it, in a single read pass.

    Parameters
    ----------
    path : str | Path
        The file.
    blocks : (start, end, block_size) | None
        Also hash ``[start, start + block_size)``, ... up to ``end`` (the last block may be shorter).
    n_jobs : int
        With 2 or more, block hashes are computed on a second thread while the main thread
        computes the whole-file hash over the same bytes (hashlib releases the GIL), so both
        hashes cost about one pass of wall time.
    progress : callable | None
        Called with the number of bytes just hashed.

    Returns
    -------
    sha1 : str
        SHA-1 of the whole file.
    block_hashes : BlockHashes | None
        The block hashes, if ``blocks`` was given.
    """
    size = os.stat(path).st_size
    if blocks is not None:
        start, end, block_size = blocks
        if not (0 <= start <= end <= size) or block_size <= 0:
            raise ValueError(f"Blocks {blocks} do not fit in {path} ({size} bytes)")
    whole = hashlib.sha1()
    if size == 0:
        return whole.hexdigest(), (BlockHashes(0, 0, blocks[2], []) if blocks else None)

    block_hashers: list = []
    # Block hashes run on a second thread beside the whole-file hash when allowed; pieces are
    # queued (they are views of the map, no copies) so a briefly descheduled thread stalls nobody.
    pool = ThreadPoolExecutor(max_workers=1) if (blocks is not None and n_jobs >= 2) else None
    queued: deque = deque()
    # Hash straight from the page cache through a memory map: no copy into Python buffers.
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        if hasattr(mapped, "madvise"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        view = memoryview(mapped)
        piece = None
        try:
            for piece_start, piece_end, block_index in _pieces(size, blocks):
                piece = view[piece_start:piece_end]
                if block_index is not None:
                    if block_index == len(block_hashers):
                        block_hashers.append(hashlib.sha1())
                    if pool is None:
                        block_hashers[block_index].update(piece)
                    else:
                        queued.append(pool.submit(block_hashers[block_index].update, piece))
                        while len(queued) > _QUEUED_PIECES:
                            queued.popleft().result()
                whole.update(piece)
                if progress is not None:
                    progress(piece_end - piece_start)
            while queued:
                queued.popleft().result()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            # Every slice of the map must be gone before it closes (an exported buffer keeps it open).
            piece = None
            queued.clear()
            view.release()
    block_hashes = None
    if blocks is not None:
        block_hashes = BlockHashes(blocks[0], blocks[1], blocks[2], [h.hexdigest() for h in block_hashers])
    return whole.hexdigest(), block_hashes


def _pieces(size: int, blocks: tuple[int, int, int] | None) -> list[tuple[int, int, int | None]]:
    """Split ``[0, size)`` into pieces no larger than HASH_PIECE_BYTES that never straddle a block boundary.

    Each piece is ``(start, end, block_index)``; block_index is None outside the hashed blocks.
    """
    boundaries: list[tuple[int, int, int | None]] = []
    if blocks is None:
        boundaries.append((0, size, None))
    else:
        start, end, block_size = blocks
        boundaries.append((0, start, None))
        for i, b in enumerate(range(start, end, block_size)):
            boundaries.append((b, min(b + block_size, end), i))
        boundaries.append((end, size, None))
    pieces = []
    for lo, hi, index in boundaries:
        for p in range(lo, hi, HASH_PIECE_BYTES):
            pieces.append((p, min(p + HASH_PIECE_BYTES, hi), index))
    return pieces
