"""Notebook servers on the wire: the JSON of a server and of its events.

A server's JSON carries two things its entity does not know: its path through this
server's proxy (``url``) and whether the caller may open it (``openable``); the service
answers them in a ``ServerView``. These are the encoders of the codecs
``notebook_server`` and ``notebook_server_progress`` (``api/codecs.py``); the Python
client reads the JSON as it is (dicts).
"""

from __future__ import annotations

from typing import Any

from .entities import NotebookServer, ServerEvent, ServerProgress, ServerView
from .validation import spec_request


def view_json(view: ServerView) -> dict[str, Any]:
    """A server as its caller sees it (schema ``NotebookServer``)."""
    return server_json(view.server, url=view.url, openable=view.openable)


def progress_json(progress: ServerProgress) -> dict[str, Any]:
    """A poll of spawn progress: ``{server, events, cursor}``."""
    return {
        "server": view_json(progress.server),
        "events": [event_json(event) for event in progress.events],
        "cursor": progress.cursor,
    }


def server_json(server: NotebookServer, *, url: str, openable: bool) -> dict[str, Any]:
    """A server as the API answers it (schema ``NotebookServer``)."""
    return {
        "owner": server.owner,
        "name": server.name,
        "backend": server.backend,
        "status": server.status.value,
        "reason": server.reason,
        "message": server.message,
        "url": url,
        "openable": openable,
        "created_at": server.created_at,
        "updated_at": server.updated_at,
        "started_at": server.started_at,
        "stopped_at": server.stopped_at,
        "last_activity": server.last_activity,
        "restart_required": server.restart_required,
        "spec": spec_request(server.spec),
        "names": server.names.to_dict(),
    }


def event_json(event: ServerEvent) -> dict[str, Any]:
    """A spawn-progress event (schema ``NotebookServerEvent``)."""
    return {
        "id": event.id,
        "timestamp": event.timestamp,
        "type": event.type,
        "reason": event.reason,
        "message": event.message,
    }
