"""Where a shared extractor's bytes come from: the configured local store, then runners over HTTP.

An extractor opened in any process (a notebook, a Ray worker, a colleague's machine)
looks for each file, in order, in

1. the local store configured for that process (``SORTINGVIEW_STORE_DIR`` or the config
   file; see ``spikeinterface_sortingview.config``), including files registered in place;
2. the runner given to the extractor as ``source_url`` (it is part of the extractor's
   kwargs, so it travels with ``to_dict``, pickling and Ray);
3. the runners listed in ``SORTINGVIEW_REMOTE`` (comma-separated base URLs) in that process.

Files fetched from a runner are checked against their hash and cached in the local store,
so each is downloaded once.
"""

from __future__ import annotations

from spikeinterface_sortingview.store import HttpSource, RemoteStore, default_store, sources_from_environment


def open_store(source_url: str | None = None) -> RemoteStore:
    """The store an extractor reads through: the local store, then ``source_url``, then ``$SORTINGVIEW_REMOTE``.

    Parameters
    ----------
    source_url : str | None
        Base URL of a runner serving ``/sha1/<hash>``, e.g. ``http://192.168.1.20:8931``.
    """
    sources = [HttpSource(source_url)] if source_url else []
    known = {s.base_url for s in sources}
    sources += [s for s in sources_from_environment() if s.base_url not in known]
    return RemoteStore(default_store(), sources)
