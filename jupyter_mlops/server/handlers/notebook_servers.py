"""Notebook servers: ``mlops/api/notebook-servers`` (list, create, options) and one item
per ``{owner}/{name}`` (get, edit, delete; start, stop; logs, events, manifest).

Spawn progress reaches the UI by polling ``events?since=<cursor>``: each answer carries the
server's current status, the events after the cursor, and the next cursor (the one live
update mechanism of the whole API: polling with ``since`` cursors).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter
from ...notebooks.entities import NotebookServer, ServerEvent
from ...notebooks.validation import EDITABLE_FIELDS, SPEC_FIELDS
from .base import SETTING_PROXY_POLICY, MlopsAPIHandler


def server_json(handler: MlopsAPIHandler, server: NotebookServer) -> dict[str, Any]:
    spec = server.spec
    return {
        "owner": server.owner,
        "name": server.name,
        "backend": server.backend,
        "status": server.status.value,
        "reason": server.reason,
        "message": server.message,
        "url": handler.notebooks.backend.context.prefix(server.owner, server.name),
        "openable": handler.notebooks.may_open(
            handler.caller, server.owner, handler.settings[SETTING_PROXY_POLICY].admins_open_others
        ),
        "created_at": server.created_at,
        "updated_at": server.updated_at,
        "started_at": server.started_at,
        "stopped_at": server.stopped_at,
        "last_activity": server.last_activity,
        "restart_required": server.restart_required,
        "spec": {
            "profile": spec.profile,
            "image": spec.image,
            "cpu": spec.cpu_request,
            "cpu_limit": spec.cpu_limit,
            "memory": spec.memory_request,
            "memory_limit": spec.memory_limit,
            "gpus": spec.gpus,
            "gpu_resource": spec.gpu_resource,
            "workspace": {
                "size": spec.workspace.size,
                "existing_claim": spec.workspace.existing_claim,
                "mount_path": spec.workspace.mount_path,
            },
            "data_volumes": [
                {"claim_name": v.claim_name, "mount_path": v.mount_path, "read_only": v.read_only}
                for v in spec.data_volumes
            ],
            "env": spec.env,
            "node_selector": spec.node_selector,
            "tolerations": [
                {"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
                for t in spec.tolerations
            ],
            "shm_size": spec.shm_size,
            "cull_idle_seconds": spec.cull_idle_seconds,
        },
        "names": server.names.to_dict(),
    }


def event_json(event: ServerEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "timestamp": event.timestamp,
        "type": event.type,
        "reason": event.reason,
        "message": event.message,
    }


class NotebookAPIHandler(MlopsAPIHandler):
    def query_bool(self, name: str, default: bool) -> bool:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise InvalidParameter(f"{name} must be true or false, got {raw!r}", field=name)


class NotebookServersHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        page = await self.run(
            self.notebooks.list_servers,
            self.caller,
            owner=self.query_str("user"),
            max_results=self.query_int("max_results", 100),
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {
                "servers": [server_json(self, s) for s in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("owner", "name", "start", *SPEC_FIELDS))
        server = await self.run(self.notebooks.create_server, self.caller, body)
        self.write_json({"server": server_json(self, server)}, status=201)


class NotebookServerOptionsHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        options = await self.run(self.notebooks.describe_options, self.caller)
        self.write_json(options)


class NotebookServerHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, owner: str, name: str) -> None:
        server = await self.run(self.notebooks.get_server, self.caller, owner, name)
        self.write_json({"server": server_json(self, server)})

    @web.authenticated
    @authorized
    async def patch(self, owner: str, name: str) -> None:
        body = self.json_body(EDITABLE_FIELDS)
        server = await self.run(self.notebooks.update_server, self.caller, owner, name, body)
        self.write_json({"server": server_json(self, server)})

    @web.authenticated
    @authorized
    async def delete(self, owner: str, name: str) -> None:
        delete_volume = self.query_bool("delete_volume", False)
        await self.run(self.notebooks.delete_server, self.caller, owner, name, delete_volume)
        self.write_no_content()


class NotebookServerStartHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, owner: str, name: str) -> None:
        server = await self.run(self.notebooks.start_server, self.caller, owner, name)
        self.write_json({"server": server_json(self, server)})


class NotebookServerStopHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, owner: str, name: str) -> None:
        server = await self.run(self.notebooks.stop_server, self.caller, owner, name)
        self.write_json({"server": server_json(self, server)})


class NotebookServerLogsHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, owner: str, name: str) -> None:
        tail = self.query_int("tail", 1000)
        logs = await self.run(self.notebooks.logs, self.caller, owner, name, tail)
        self.write_json({"logs": logs})


class NotebookServerEventsHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, owner: str, name: str) -> None:
        since = self.query_int("since", 0)
        server, events = await self.run(self.notebooks.events, self.caller, owner, name, since)
        cursor = events[-1].id if events else since
        self.write_json(
            {
                "server": server_json(self, server),
                "events": [event_json(e) for e in events],
                "cursor": cursor,
            }
        )


class NotebookServerManifestHandler(NotebookAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, owner: str, name: str) -> None:
        manifests = await self.run(self.notebooks.manifests, self.caller, owner, name)
        self.write_json({"manifests": manifests})
