"""What every jupyter-mlops widget shares: the frontend module it renders with, a readable
HTML fallback for places that cannot render widgets (nbconvert, GitHub, a notebook opened
without its kernel), and JSON-safe values (JSON has no NaN)."""

from __future__ import annotations

import math
import uuid
from typing import Any

from ipywidgets import DOMWidget
from traitlets import Unicode

#: The npm package whose plugin registers the views (package.json "name").
MODULE_NAME = "jupyter-mlops"
#: The semver range of that package the models need (package.json "version").
MODULE_VERSION = "^0.1.0"


def finite_or_none(value: float) -> float | None:
    """NaN and infinities as None: the wire is JSON, and the charts skip nulls."""
    return value if math.isfinite(value) else None


class MlopsWidget(DOMWidget):
    """A DOMWidget rendered by the jupyter-mlops lab extension, with an HTML fallback.

    The fallback is part of the display data, so nbconvert and other renderers without
    the widget manager show it. Subclasses give ``fallback_html()``; ``refresh_display()``
    re-publishes the display (used when a live widget's data is final).
    """

    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._display_ids: list[str] = []

    def fallback_html(self) -> str:
        raise NotImplementedError

    def fallback_text(self) -> str:
        return repr(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = self.fallback_text()
        data["text/html"] = self.fallback_html()
        return data

    def _ipython_display_(self) -> None:
        # Displayed with an id, so that refresh_display() can update the fallback later.
        from IPython.display import display

        if self.comm is None:  # closed: only the text is left to show
            display(self.fallback_text())
            return
        display_id = uuid.uuid4().hex
        self._display_ids.append(display_id)
        display(self._repr_mimebundle_(), raw=True, display_id=display_id)

    def refresh_display(self) -> None:
        """Update every place this widget was displayed with its current fallback."""
        if not self._display_ids or self.comm is None:
            return
        from IPython.display import update_display

        bundle = self._repr_mimebundle_()
        for display_id in self._display_ids:
            update_display(bundle, raw=True, display_id=display_id)
