"""Serializable recordings and sortings: share one by content URI, open it anywhere, read it lazily.

::

    import spikeinterface_sortingview as sv

    uri = sv.share_recording(recording)   # sha1://...
    rec = sv.load_recording(uri)          # reads only the chunks a get_traces call touches

The extractors are real SpikeInterface extractors: ``to_dict()`` holds URIs only, so
``spikeinterface.load``, pickling and Ray reopen them in any process that can reach the
store (see ``extractors.sources``).
"""

from spikeinterface_sortingview._version import __version__ as __version__

from .by_reference import EXTRACTOR_FORMAT, FILE_EXTRACTORS, DisallowedClassError
from .encoding import NotSerializableError
from .recording import ManifestError, StoreRecordingExtractor
from .recording_writer import NotInPlaceError
from .share import (
    copy_recording_extractor,
    copy_sorting_extractor,
    load_recording,
    load_sorting,
    share_recording,
    share_sorting,
)
from .sorting import StoreSortingExtractor

__all__ = [
    "EXTRACTOR_FORMAT",
    "FILE_EXTRACTORS",
    "DisallowedClassError",
    "ManifestError",
    "NotInPlaceError",
    "NotSerializableError",
    "StoreRecordingExtractor",
    "StoreSortingExtractor",
    "copy_recording_extractor",
    "copy_sorting_extractor",
    "load_recording",
    "load_sorting",
    "share_recording",
    "share_sorting",
]
