"""Resetting the fluent API between tests: no active run, no tracking URI, no cached
client, as in a fresh kernel."""

from __future__ import annotations

import contextlib

import jupyter_mlops as mlops
from jupyter_mlops.client import fluent


def forget_fluent_state() -> None:
    """End every active run and drop the fluent API's URI and cached clients."""
    while mlops.active_run() is not None:
        # A test that left its run failing to end has already failed on its own.
        with contextlib.suppress(Exception):
            mlops.end_run()
    mlops.set_tracking_uri(None)
    with fluent._state_lock:
        clients = list(fluent._clients.values())
        fluent._clients.clear()
        fluent._experiment_ids.clear()
    for client in clients:
        client.close()
    fluent._close_spools()
