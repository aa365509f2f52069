"""What the OpenAPI schema says each route answers: the statuses and media types the runner really sends.

Errors of the compute API (``/api``, ``/api/tasks``, ``/task_results``) are JSON with an ``errorMessage``; every
other route answers errors as one line of ``text/plain``. A request FastAPI cannot read is a 400 (never
FastAPI's 422), so its ``422 HTTPValidationError`` entries are removed from the generated schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .compute import ServiceQueryRequest, TaskRequest, TaskStatus

Responses = dict[int | str, dict[str, Any]]

TEXT = {"text/plain": {"schema": {"type": "string"}}}
HTML = {"text/html": {"schema": {"type": "string"}}}
BYTES = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
ERROR_JSON = {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["errorMessage"],
            "properties": {"type": {"type": "string"}, "errorMessage": {"type": "string"}},
        }
    }
}
COMPUTE_PATH_PREFIXES = ("/api/", "/task_results/")
# Path parameters checked in the endpoint's code rather than by FastAPI: their pattern, for the schema.
PATH_PARAMETER_PATTERNS = {"sha1": r"^[0-9a-fA-F]{40}$", "path": r"^[^\x00-\x1f\x7f]*$"}


def is_compute_path(path: str) -> bool:
    """Whether errors of this path are answered as JSON (the compute API) rather than as text."""
    return path == "/api" or path.startswith(COMPUTE_PATH_PREFIXES)


def text_error(description: str) -> dict[str, Any]:
    return {"description": description, "content": TEXT}


def json_error(description: str) -> dict[str, Any]:
    return {"description": description, "content": ERROR_JSON}


def json_body(model: type) -> dict[str, Any]:
    """``openapi_extra`` of a route that reads its JSON body itself (strictly: see ``json_body.py``)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


HOST_PAGE_RESPONSES: Responses = {
    200: {"description": "The host page (HTML)", "content": HTML},
    400: text_error("A query parameter that cannot be read"),
    503: {"description": "The viewer bundle is not built; the page says how to build it", "content": HTML},
}
VIEWER_RESPONSES: Responses = {
    200: {"description": "A file of the viewer bundle", "content": {"*/*": {"schema": {"type": "string"}}}},
    400: text_error("A path with a control character"),
    404: text_error("Not a file of the viewer"),
    503: HOST_PAGE_RESPONSES[503],
}
FILE_RESPONSES: Responses = {
    200: {"description": "The file's bytes", "content": BYTES},
    206: {"description": "The requested byte range", "content": BYTES},
    304: {"description": "Not modified (If-None-Match names the hash)"},
    400: text_error("Not a SHA-1 hash"),
    404: text_error("Not in the store (or its copy failed its hash check and was quarantined)"),
    416: text_error("Bad or unsatisfiable Range (Content-Range gives the file's size)"),
}
STORE_RESPONSES: Responses = {
    200: {
        "description": "Stored",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"uri": {"type": "string"}}}}},
    },
    413: text_error("Larger than the runner's --max-upload-mb"),
    415: text_error("Not Content-Type: application/octet-stream (form and text bodies are refused)"),
    507: text_error("The store's disk is full; nothing was stored"),
}
STORE_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
UPLOAD_RESPONSES: Responses = {
    200: {
        "description": "Stored (or already there)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"uri": {"type": "string"}, "size": {"type": "integer"}},
                }
            }
        },
    },
    400: text_error("Not 40 hex characters, or the body's SHA-1 is not <hash>; nothing was stored"),
    415: text_error("Not Content-Type: application/octet-stream (form and text bodies are refused)"),
    507: text_error("The store's disk is full; nothing was stored"),
}
UPLOAD_REQUEST_BODY = STORE_REQUEST_BODY
HASH_LIST = {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-fA-F]{40}$"}}
MISSING_RESPONSES: Responses = {
    200: {
        "description": "The hashes of the list that the store lacks, in the list's order",
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["missing"], "properties": {"missing": HASH_LIST}}
            }
        },
    },
    400: text_error('Not JSON of the form {"sha1": [hashes]}, a hash that is not 40 hex characters, or too many'),
    413: text_error("A body over 4 MB"),
}
MISSING_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["sha1"],
                    "properties": {"sha1": {**HASH_LIST, "maxItems": 50000}},
                }
            }
        },
    }
}
BODY_ERRORS: Responses = {
    400: json_error("Not strict JSON, a body that is not a request, an unknown task, wrong input"),
    403: json_error(
        "A curation action without a curator token (runner reachable from the network), or from a curator not "
        "authorized for the sorting's curation feed (docs/curation.md)"
    ),
    413: json_error("A body larger than the runner accepts (4 MB)"),
    415: json_error("Not Content-Type: application/json"),
}
RUN_ERRORS: Responses = {
    409: json_error("The job was cancelled, or an action's taskJobId already names a job with another input"),
    500: json_error("The handler raised; errorMessage is its message"),
    502: json_error("The worker running the task died"),
    503: json_error("This runner has no compute"),
    504: json_error("The task did not finish within its timeout (time queued included)"),
}
SERVICE_QUERY_RESPONSES: Responses = {
    200: {
        "description": "The result as JSON; with a binary payload, the JSON, a newline and the payload's bytes",
        "content": {
            "application/json": {"schema": {"type": "object", "required": ["type", "result"]}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    404: json_error("An unknown serviceName"),
    **BODY_ERRORS,
    **RUN_ERRORS,
}
TASK_STATUS_RESPONSES: Responses = {
    200: {"model": TaskStatus, "description": "Finished: the status carries the result"},
    202: {"model": TaskStatus, "description": "Waiting or started: ask again at /api/tasks/{taskName}/{jobId}"},
    **BODY_ERRORS,
    **RUN_ERRORS,
}
JOB_RESPONSES: Responses = {
    200: {"model": TaskStatus, "description": "The job's status (with its result once finished)"},
    202: {"model": TaskStatus, "description": "Waiting or started"},
    400: json_error("Not a task name or job id, or the job ended in an input error"),
    404: json_error("No such job on this runner"),
    **RUN_ERRORS,
}
CANCEL_RESPONSES: Responses = {
    200: {"model": TaskStatus, "description": "The job's status after the cancel"},
    400: json_error("Not a task name or job id"),
    404: json_error("No such job on this runner"),
    503: RUN_ERRORS[503],
}
SUMMARY_RESPONSES: Responses = {
    200: {
        "description": 'The figURL of the summary: {"url", "link", "taskJobId", "status"}',
        "content": {"application/json": {}},
    },
    400: json_error("The sorting's recording cannot be read (its file gone), or the job was refused"),
    404: json_error("No such workspace, or no such sorting in it"),
    **RUN_ERRORS,
}
TASK_RESULT_RESPONSES: Responses = {
    200: {
        "description": "The cached result (JSON, ndarrays encoded as in figures)",
        "content": {"application/json": {}},
    },
    400: json_error("Not a task name or a calculation's job id"),
    404: json_error("No cached result"),
    503: RUN_ERRORS[503],
}
REQUEST_MODELS = (ServiceQueryRequest, TaskRequest)
SERVICE_QUERY_BODY = json_body(ServiceQueryRequest)
TASK_REQUEST_BODY = json_body(TaskRequest)


def install_schema(app: FastAPI) -> None:
    """Make ``app.openapi()`` the generated schema without FastAPI's 422 answers, which this runner never sends."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
                    for parameter in operation.get("parameters", []):
                        pattern = PATH_PARAMETER_PATTERNS.get(parameter["name"])
                        if pattern and parameter["in"] == "path":
                            parameter["schema"]["pattern"] = pattern
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            for model in REQUEST_MODELS:  # the bodies read by the routes themselves (see json_body)
                schemas[model.__name__] = model.model_json_schema()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
