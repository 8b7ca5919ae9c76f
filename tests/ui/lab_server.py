"""A handle on a running ``jupyter lab`` for the browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests


@dataclass(frozen=True)
class LabServer:
    """A running ``jupyter lab`` and how to talk to it."""

    url: str  # ends with "/"
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the jupyter-mlops REST API as the server's user; fail on an error answer."""
        response = requests.request(
            method,
            f"{self.url}mlops/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=30,
            **kwargs,
        )
        if response.status_code >= 400:
            raise AssertionError(
                f"{method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None
