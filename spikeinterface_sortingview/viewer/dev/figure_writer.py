"""Writes sortingview-format figures into a kachery-layout folder (dev test data only).

Follows spec/figure-data.md: ndarrays as {_type, shape, dtype, data_b64|data_gzip_b64},
deterministic JSON (sorted keys, compact), each view's data in its own sha1 file, view ids
assigned by a pre-order walk of the layout.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np


class Writer:
    def __init__(self, store: Path, compress: bool = False) -> None:
        self.store = store
        self.compress = compress

    def encode(self, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            if x.dtype == np.int64:
                x = x.astype(np.int32)
            raw = np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<")).tobytes()
            out = {"_type": "ndarray", "shape": list(x.shape), "dtype": str(x.dtype)}
            if self.compress:
                out["data_gzip_b64"] = base64.b64encode(zlib.compress(raw)).decode()
            else:
                out["data_b64"] = base64.b64encode(raw).decode()
            return out
        if isinstance(x, dict):
            return {str(k): self.encode(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [self.encode(v) for v in x]
        if isinstance(x, np.generic):
            return x.item()
        return x

    def store_json(self, obj: Any) -> str:
        text = json.dumps(self.encode(obj), sort_keys=True, separators=(",", ":"), allow_nan=False)
        data = text.encode()
        h = hashlib.sha1(data).hexdigest()
        p = self.store / "sha1" / h[0:2] / h[2:4] / h[4:6] / h
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return f"sha1://{h}"


def view(type_: str, **data: Any) -> dict:
    return {"type": type_, **data}


def box(direction: str, items: list, props: list | None = None, **extra: Any) -> dict:
    return {"layout": "Box", "direction": direction, "items": items, "itemProperties": props or [{} for _ in items], **extra}


def splitter(direction: str, a: Any, b: Any, props: list | None = None) -> dict:
    return {"layout": "Splitter", "direction": direction, "items": [a, b], "itemProperties": props or [{}, {}]}


def tabs(items: list, labels: list[str], vertical: bool = False) -> dict:
    out = {"layout": "TabLayout", "items": items, "itemProperties": [{"label": l} for l in labels]}
    if vertical:
        out["tabBarLayout"] = "vertical"
    return out


def mountain(items: list, props: list[dict]) -> dict:
    return {"layout": "Mountain", "items": items, "itemProperties": props}


def write_figure(writer: Writer, root: Any) -> str:
    """Stores every leaf's data and the MainLayout document; returns the document URI."""
    views: list[dict] = []
    counter = [0]

    def walk(node: Any) -> dict:
        vid = str(counter[0])
        counter[0] += 1
        if "layout" in node:
            out = {k: v for k, v in node.items() if k not in ("layout", "items")}
            out["type"] = node["layout"]
            out["items"] = [walk(it) for it in node["items"]]
            return out
        views.append({"type": node["type"], "viewId": vid, "dataUri": writer.store_json(node)})
        return {"type": "View", "viewId": vid}

    layout = walk(root if "layout" in root else box("horizontal", [root]))
    return writer.store_json({"type": "MainLayout", "layout": layout, "views": views})
