"""A "view run" link in a notebook cell's output, shown when a run starts in a kernel.

JupyterLab renders the bundle's own MIME type (``application/vnd.jupyter-mlops.run+json``)
as a button that opens the run in the MLOps panel; other frontends show the text/plain
fallback (the run's name and id). Outside a kernel (a script, a terminal IPython) nothing
is shown: there is no panel to open the run in.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..tracking.entities import RunInfo

log = logging.getLogger(__name__)

#: The MIME type the JupyterLab extension renders as a "view run" button.
RUN_LINK_MIME_TYPE = "application/vnd.jupyter-mlops.run+json"

# Set while a caller that shows its own link (the %%track magic) starts its run.
_links_off: ContextVar[bool] = ContextVar("jupyter_mlops_run_links_off", default=False)


def run_link_bundle(info: RunInfo) -> dict[str, Any]:
    """The display bundle of a link to the run ``info``: ours, and text for the rest."""
    name = info.run_name or info.run_id
    return {
        RUN_LINK_MIME_TYPE: {
            "run_id": info.run_id,
            "run_name": info.run_name,
            "experiment_id": info.experiment_id,
        },
        "text/plain": (f"MLOps run {name!r} ({info.run_id}) in experiment {info.experiment_id}"),
    }


def display_run_link(info: RunInfo) -> bool:
    """Show a link to the run in the current cell's output when running in a kernel.

    Returns whether it was shown: not outside a kernel, nor while ``links_off()``. Never
    raises: a link is a help, never a reason for a run to fail.
    """
    if _links_off.get() or not _in_kernel():
        return False
    try:
        from IPython.display import display

        display(run_link_bundle(info), raw=True)
    except Exception as err:
        log.warning("jupyter-mlops: could not show a link to run %s: %s", info.run_id, err)
        return False
    return True


@contextmanager
def links_off() -> Iterator[None]:
    """Show no links inside (for a caller that shows its own link once)."""
    token = _links_off.set(True)
    try:
        yield
    finally:
        _links_off.reset(token)


def _in_kernel() -> bool:
    """Whether this is an IPython kernel (a frontend can display what we send)."""
    # IPython is only looked for where it is loaded: never imported by a plain script.
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
