"""Views of documents and pictures: Markdown, Image, UnitImages, TiledImage and PlotlyFigure."""

from __future__ import annotations

import io

import numpy as np

from .base import View
from .encoding import FigureDataError, check_unit_id, content_uri


class Markdown(View):
    """Markdown text."""

    type = "Markdown"

    def __init__(self, source: str):
        self.source = str(source)

    def data(self) -> dict:
        return {"source": self.source}


def check_image_url(url: str) -> str:
    if not isinstance(url, str) or not url.startswith(("data:", "http://", "https://")):
        raise FigureDataError(f"image url must be a data: URL or an http(s) URL, got {str(url)[:60]!r}")
    return url


class Image(View):
    """A picture given by a data: URL or an http(s) URL."""

    type = "Image"

    def __init__(self, url: str):
        self.url = check_image_url(url)

    def data(self) -> dict:
        return {"url": self.url}


class UnitImagesItem:
    """A picture of one unit."""

    def __init__(self, unit_id: int | str, url: str):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.url = check_image_url(url)

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "url": self.url}


class UnitImages(View):
    """One picture per unit, in a grid of ``item_width`` x ``item_height`` pixels."""

    type = "UnitImages"

    def __init__(self, items: list[UnitImagesItem], item_width: int, item_height: int):
        self.items = list(items)
        self.item_width = int(item_width)
        self.item_height = int(item_height)

    def data(self) -> dict:
        return {
            "items": [i.to_dict() for i in self.items],
            "itemWidth": self.item_width,
            "itemHeight": self.item_height,
        }


class PlotlyFigure(View):
    """A plotly figure given as its dict (``fig.to_dict()``)."""

    type = "PlotlyFigure"

    def __init__(self, fig: dict):
        if not isinstance(fig, dict):
            raise FigureDataError("PlotlyFigure takes the figure's dict; pass fig.to_dict()")
        self.fig = fig

    def data(self) -> dict:
        return {"fig": self.fig}


class TiledImageLayer:
    """A large RGB(A) uint8 image cut into PNG tiles at several zoom levels.

    Zoom level ``z = 0`` is full resolution and each next level halves it, down to one tile.
    Tiles are named ``"z_j_k"`` with ``j`` the tile column and ``k`` the tile row.
    """

    def __init__(self, label: str, image: np.ndarray, tile_size: int = 256):
        if (
            not isinstance(image, np.ndarray)
            or image.dtype != np.uint8
            or image.ndim != 3
            or image.shape[2] not in (3, 4)
        ):
            raise FigureDataError("TiledImageLayer image must be a uint8 array shaped (height, width, 3 or 4)")
        self.label = str(label)
        self.tile_size = int(tile_size)
        self.height, self.width = image.shape[:2]
        self.tiles: dict[str, bytes] = {}
        level_image = image
        z = 0
        while True:
            self._cut_tiles(level_image, z)
            if max(level_image.shape[:2]) <= self.tile_size:
                break
            level_image = level_image[::2, ::2]
            z += 1
        self.num_zoom_levels = z + 1

    def _cut_tiles(self, image: np.ndarray, z: int) -> None:
        from PIL import Image as PILImage  # pillow is only needed when tiled images are made

        size = self.tile_size
        for j in range(0, image.shape[1], size):
            for k in range(0, image.shape[0], size):
                buffer = io.BytesIO()
                PILImage.fromarray(np.ascontiguousarray(image[k : k + size, j : j + size])).save(buffer, format="PNG")
                self.tiles[f"{z}_{j // size}_{k // size}"] = buffer.getvalue()

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "tileSize": self.tile_size,
            "width": self.width,
            "height": self.height,
            "numZoomLevels": self.num_zoom_levels,
            "imageFiles": {name: content_uri(png) for name, png in self.tiles.items()},
        }


class TiledImage(View):
    """Deep-zoom images; the tiles are stored as files next to the view's JSON."""

    type = "TiledImage"

    def __init__(self, layers: list[TiledImageLayer]):
        self.layers = list(layers)

    def data(self) -> dict:
        return {"layers": [layer.to_dict() for layer in self.layers]}

    def files(self) -> list[bytes]:
        return [png for layer in self.layers for png in layer.tiles.values()]
