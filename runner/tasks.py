"""The compute API (``POST /api``, figurl service queries); this runner has no compute yet and says so."""

from __future__ import annotations

from starlette.responses import JSONResponse

COMPUTE_UNAVAILABLE = "compute is not available on this runner"


async def service_query() -> JSONResponse:
    """``POST /api``: answered 503 in the service-query reply format until the compute handlers land."""
    return JSONResponse(
        {"type": "serviceQueryResponse", "errorMessage": COMPUTE_UNAVAILABLE},
        status_code=503,
        headers={"Cache-Control": "no-store"},
    )
