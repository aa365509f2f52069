"""Named pointers over HTTP: ``GET /pointers/<namespace>/<name>`` answers which snapshot a workspace is at."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from spikeinterface_sortingview.store import LocalStore, read_pointer
from spikeinterface_sortingview.store.pointers import InvalidPointerNameError, check_pointer_name

from .api_schema import Responses, text_error
from .errors import BadRequest, NotFound

POINTER_SCHEMA = {
    "type": "object",
    "required": ["name", "uri", "seq", "time"],
    "properties": {
        "name": {"type": "string"},
        "uri": {"type": "string"},
        "seq": {"type": "integer"},
        "time": {"type": "number"},
    },
}
POINTER_RESPONSES: Responses = {
    200: {
        "description": "The pointer: its name, the snapshot it names, how often and when it was set",
        "content": {"application/json": {"schema": POINTER_SCHEMA}},
    },
    400: text_error("Not a pointer name (<namespace>/<name>)"),
    404: text_error("No pointer of that name in this runner's store"),
}


class StorePointers:
    """The read face of the pointers of a :class:`LocalStore` (``store/pointers.py``).

    Parameters
    ----------
    store : LocalStore
        The store whose pointers are read.
    """

    def __init__(self, store: LocalStore):
        self.store = store

    async def get(self, namespace: str, name: str) -> Response:
        """Answer ``GET /pointers/<namespace>/<name>``: the pointer's JSON, never cached (it changes), or 404."""
        full_name = f"{namespace}/{name}"
        try:
            check_pointer_name(full_name)
        except InvalidPointerNameError as e:
            raise BadRequest(str(e)) from None
        pointer = await run_in_threadpool(read_pointer, self.store, full_name)
        if pointer is None:
            raise NotFound(f"No pointer {full_name} in the store at {self.store.directory}")
        return Response(
            pointer.to_json(),
            media_type="application/json",
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )
