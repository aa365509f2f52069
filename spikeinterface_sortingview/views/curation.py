"""Control views: the curation panel and the selection panel."""

from __future__ import annotations

from .base import View
from .encoding import with_optional

DEFAULT_LABEL_CHOICES = ("accept", "reject", "noise", "artifact", "mua")


class SortingCuration2(View):
    """The curation control: label, merge and unmerge units. The curation itself lives in the URL state."""

    type = "SortingCuration2"

    def __init__(
        self, label_choices: list[str] | None = None, sorting_uri: str | None = None, curation: dict | None = None
    ):
        if label_choices is not None:
            label_choices = [str(label) for label in label_choices]
            if len(set(label_choices)) != len(label_choices):
                raise ValueError(f"label_choices has duplicates: {label_choices}")
        self.label_choices = label_choices
        # this project's extension: with a runner, curation actions go to the sorting's journal
        self.sorting_uri = sorting_uri
        # this project's extension: the curation the page starts from when its URL carries none
        self.curation = curation

    def data(self) -> dict:
        return with_optional({}, labelChoices=self.label_choices, sortingUri=self.sorting_uri, curation=self.curation)


class SortingCuration(View):
    """The older curation control (no fields)."""

    type = "SortingCuration"

    def data(self) -> dict:
        return {}


class SortingSelection(View):
    """A panel listing the selected units (no fields)."""

    type = "SortingSelection"

    def data(self) -> dict:
        return {}
