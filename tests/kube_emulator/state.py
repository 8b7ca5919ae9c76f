"""The emulator's in-memory cluster state: objects, resourceVersions, selectors, patches,
owner-reference garbage collection, an event log for watches, and controller hooks.

Thread-safe (one re-entrant lock): the HTTP server runs on its own thread while tests and
the kubelet helper change state from theirs.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .resources import Resource, ResourceTable

Obj = dict[str, Any]
#: A controller sees every change: (state, resource, "ADDED"|"MODIFIED"|"DELETED", object).
Controller = Callable[["ClusterState", Resource, str, Obj], None]


class ApiError(Exception):
    """Answered as a Kubernetes ``Status`` object."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def status(self) -> Obj:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class WatchEvent:
    resource_version: int
    key: tuple[str, str]
    namespace: str
    type: str
    object: Obj


class ClusterState:
    def __init__(self, resources: ResourceTable | None = None) -> None:
        self.resources = resources or ResourceTable()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._objects: dict[tuple[str, str, str, str], Obj] = {}
        self._rv = 0
        self._log: list[WatchEvent] = []
        self._logs: dict[tuple[str, str, str], str] = {}
        self._controllers: list[Controller] = []
        self._pending: list[tuple[Resource, str, Obj]] = []
        self._dispatching = False
        #: Every request served, as (method, path): for assertions on what a client did.
        self.requests: list[tuple[str, str]] = []

    # -- controllers -----------------------------------------------------------------------
    def add_controller(self, controller: Controller) -> None:
        self._controllers.append(controller)

    def _notify(self, resource: Resource, type_: str, obj: Obj) -> None:
        ns = obj.get("metadata", {}).get("namespace", "")
        rv = int(obj.get("metadata", {}).get("resourceVersion", self._rv))
        self._log.append(WatchEvent(rv, resource.key, ns, type_, copy.deepcopy(obj)))
        del self._log[:-5000]  # bounded history, like etcd compaction
        self.changed.notify_all()
        self._pending.append((resource, type_, copy.deepcopy(obj)))
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while self._pending:
                item = self._pending.pop(0)
                for controller in self._controllers:
                    controller(self, *item)
        finally:
            self._dispatching = False

    # -- helpers ---------------------------------------------------------------------------
    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    @property
    def resource_version(self) -> str:
        return str(self._rv)

    def _key(self, resource: Resource, namespace: str | None, name: str) -> tuple[str, ...]:
        return (*resource.key, namespace or "" if resource.namespaced else "", name)

    def _require(self, resource: Resource, namespace: str | None, name: str) -> Obj:
        obj = self._objects.get(self._key(resource, namespace, name))  # type: ignore[arg-type]
        if obj is None:
            group = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
            raise ApiError(404, "NotFound", f'{group} "{name}" not found')
        return obj

    def resource(self, api_version: str, kind: str) -> Resource:
        found = self.resources.by_kind(api_version, kind)
        if found is None:
            raise KeyError(f"no resource {api_version} {kind}")
        return found

    # -- verbs -----------------------------------------------------------------------------
    def create(self, resource: Resource, namespace: str | None, body: Obj) -> Obj:
        with self.lock:
            obj = copy.deepcopy(body)
            meta = obj.setdefault("metadata", {})
            if not meta.get("name"):
                prefix = meta.get("generateName")
                if not prefix:
                    raise ApiError(422, "Invalid", "metadata.name: Required value")
                meta["name"] = prefix + uuid.uuid4().hex[:5]
            if resource.namespaced:
                ns = namespace or meta.get("namespace") or "default"
                if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                    raise ApiError(400, "BadRequest", "the namespace of the object does not match")
                meta["namespace"] = ns
            else:
                ns = ""
            key = self._key(resource, ns, meta["name"])
            if key in self._objects:
                raise ApiError(
                    409, "AlreadyExists", f'{resource.plural} "{meta["name"]}" already exists'
                )
            obj["apiVersion"] = resource.api_version
            obj["kind"] = resource.kind
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            meta["generation"] = 1
            meta["resourceVersion"] = self._next_rv()
            meta.pop("deletionTimestamp", None)
            self._objects[key] = obj  # type: ignore[index]
            self._notify(resource, "ADDED", obj)
            return copy.deepcopy(obj)

    def get(self, resource: Resource, namespace: str | None, name: str) -> Obj:
        with self.lock:
            return copy.deepcopy(self._require(resource, namespace, name))

    def find(self, resource: Resource, namespace: str | None, name: str) -> Obj | None:
        """The object, or None (for tests and controllers)."""
        with self.lock:
            obj = self._objects.get(self._key(resource, namespace, name))  # type: ignore[arg-type]
            return copy.deepcopy(obj) if obj is not None else None

    def list(
        self,
        resource: Resource,
        namespace: str | None,
        label_selector: str = "",
        field_selector: str = "",
    ) -> list[Obj]:
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector)
        with self.lock:
            items = []
            for (group, plural, ns, _name), obj in sorted(self._objects.items()):
                if (group, plural) != resource.key:
                    continue
                if resource.namespaced and namespace and ns != namespace:
                    continue
                if not all(match(obj.get("metadata", {}).get("labels") or {}) for match in labels):
                    continue
                if not all(match(obj) for match in fields):
                    continue
                items.append(copy.deepcopy(obj))
            return items

    def replace(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        body: Obj,
        subresource: str | None = None,
    ) -> Obj:
        with self.lock:
            current = self._require(resource, namespace, name)
            wanted_rv = body.get("metadata", {}).get("resourceVersion")
            if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {resource.plural} "{name}": the object '
                    "has been modified; please apply your changes to the latest version and "
                    "try again",
                )
            return self._store(resource, current, copy.deepcopy(body), subresource)

    def patch(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        patch: Any,
        content_type: str,
        subresource: str | None = None,
    ) -> Obj:
        with self.lock:
            current = self._require(resource, namespace, name)
            if "json-patch" in content_type:
                if not isinstance(patch, list):
                    raise ApiError(400, "BadRequest", "a JSON patch must be a list")
                updated = apply_json_patch(current, patch)
            else:  # merge-patch and (approximated) strategic-merge-patch
                if not isinstance(patch, dict):
                    raise ApiError(400, "BadRequest", "a merge patch must be an object")
                updated = merge_patch(current, patch)
            return self._store(resource, current, updated, subresource)

    def _store(self, resource: Resource, current: Obj, new: Obj, subresource: str | None) -> Obj:
        meta = current["metadata"]
        if subresource == "status":
            updated = copy.deepcopy(current)
            updated["status"] = new.get("status", {})
        else:
            updated = new
            if resource.status_subresource:
                # The main resource ignores status changes, as the API server does.
                if "status" in current:
                    updated["status"] = copy.deepcopy(current["status"])
                else:
                    updated.pop("status", None)
            new_meta = updated.setdefault("metadata", {})
            for fixed in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp"):
                if fixed in meta:
                    new_meta[fixed] = meta[fixed]
            new_meta["generation"] = meta.get("generation", 1) + (
                1 if updated.get("spec") != current.get("spec") else 0
            )
        updated["apiVersion"] = resource.api_version
        updated["kind"] = resource.kind
        updated["metadata"]["resourceVersion"] = self._next_rv()
        key = self._key(resource, meta.get("namespace"), meta["name"])
        self._objects[key] = updated  # type: ignore[index]
        self._notify(resource, "MODIFIED", updated)
        # Removing the last finalizer of an object being deleted deletes it.
        if updated["metadata"].get("deletionTimestamp") and not updated["metadata"].get(
            "finalizers"
        ):
            self._remove(resource, key)  # type: ignore[arg-type]
        return copy.deepcopy(updated)

    def delete(self, resource: Resource, namespace: str | None, name: str) -> Obj:
        with self.lock:
            obj = self._require(resource, namespace, name)
            key = self._key(resource, namespace, name)
            if obj["metadata"].get("finalizers"):
                if not obj["metadata"].get("deletionTimestamp"):
                    obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                    obj["metadata"]["resourceVersion"] = self._next_rv()
                    self._notify(resource, "MODIFIED", obj)
                return copy.deepcopy(obj)
            return self._remove(resource, key)  # type: ignore[arg-type]

    def _remove(self, resource: Resource, key: tuple[str, str, str, str]) -> Obj:
        obj = self._objects.pop(key)
        obj["metadata"]["resourceVersion"] = self._next_rv()
        self._notify(resource, "DELETED", obj)
        self._collect_garbage(obj["metadata"]["uid"])
        return copy.deepcopy(obj)

    def _collect_garbage(self, owner_uid: str) -> None:
        """Delete the dependents of a deleted owner (background propagation)."""
        for key, obj in list(self._objects.items()):
            refs = obj.get("metadata", {}).get("ownerReferences") or []
            if any(ref.get("uid") == owner_uid for ref in refs) and key in self._objects:
                resource = next(r for r in self.resources.all() if r.key == key[:2])
                self._remove(resource, key)

    # -- watches ---------------------------------------------------------------------------
    def events_after(
        self, resource: Resource, namespace: str | None, resource_version: int
    ) -> list[WatchEvent]:
        with self.lock:
            return [
                event
                for event in self._log
                if event.resource_version > resource_version
                and event.key == resource.key
                and (not namespace or not resource.namespaced or event.namespace == namespace)
            ]

    # -- pod logs (written by the kubelet helper) ------------------------------------------
    def set_log(self, namespace: str, pod: str, text: str, container: str = "") -> None:
        with self.lock:
            self._logs[(namespace, pod, container)] = text

    def append_log(self, namespace: str, pod: str, text: str, container: str = "") -> None:
        with self.lock:
            key = (namespace, pod, container)
            self._logs[key] = self._logs.get(key, "") + text

    def get_log(self, namespace: str, pod: str, container: str | None) -> str:
        with self.lock:
            if container and (namespace, pod, container) in self._logs:
                return self._logs[(namespace, pod, container)]
            return self._logs.get((namespace, pod, ""), "")

    # -- events ----------------------------------------------------------------------------
    def record_event(
        self, involved: Obj, reason: str, message: str, type_: str = "Normal", source: str = ""
    ) -> Obj:
        """Create a core/v1 Event about ``involved`` (as a controller or the kubelet would)."""
        meta = involved["metadata"]
        stamp = now_rfc3339()
        event = {
            "metadata": {
                "name": f"{meta['name']}.{uuid.uuid4().hex[:16]}",
                "namespace": meta.get("namespace") or "default",
            },
            "involvedObject": {
                "apiVersion": involved.get("apiVersion", "v1"),
                "kind": involved.get("kind", ""),
                "name": meta["name"],
                "namespace": meta.get("namespace", ""),
                "uid": meta.get("uid", ""),
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "count": 1,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "source": {"component": source or "kube-emulator"},
        }
        return self.create(self.resource("v1", "Event"), event["metadata"]["namespace"], event)


# -- selectors ------------------------------------------------------------------------------
_SET_RE = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_requirements(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(selector: str) -> list[Callable[[dict[str, str]], bool]]:
    """``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``."""
    matchers: list[Callable[[dict[str, str]], bool]] = []
    for requirement in _split_requirements(selector):
        set_match = _SET_RE.match(requirement)
        if set_match:
            key, op, raw = set_match.groups()
            values = {v.strip() for v in raw.split(",") if v.strip()}
            if op == "in":
                matchers.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                matchers.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif "!=" in requirement:
            key, value = (s.strip() for s in requirement.split("!=", 1))
            matchers.append(lambda labels, k=key, v=value: labels.get(k) != v)
        elif "=" in requirement:
            key, value = (s.strip() for s in requirement.replace("==", "=").split("=", 1))
            matchers.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif requirement.startswith("!"):
            absent = requirement[1:].strip()
            matchers.append(lambda labels, k=absent: k not in labels)
        else:
            matchers.append(lambda labels, k=requirement: k in labels)
    return matchers


def _dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def parse_field_selector(selector: str) -> list[Callable[[Obj], bool]]:
    """``path.to.field=value``, ``==`` and ``!=`` on any dotted path of the object."""
    matchers: list[Callable[[Obj], bool]] = []
    for requirement in _split_requirements(selector):
        negate = "!=" in requirement
        raw_path, raw_value = requirement.replace("!=", "=").replace("==", "=").split("=", 1)
        path, value = raw_path.strip(), raw_value.strip()
        matchers.append(lambda o, p=path, v=value, n=negate: (str(_dig(o, p) or "") == v) != n)
    return matchers


# -- patches --------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (null deletes a key; lists are replaced)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path.lstrip("/").split("/")]


def apply_json_patch(target: Obj, operations: list[Obj]) -> Obj:
    """RFC 6902 JSON patch: add, remove, replace, test, copy, move."""
    doc = copy.deepcopy(target)

    def parent(path: str) -> tuple[Any, str]:
        parts = _pointer(path)
        if not parts:
            raise ApiError(422, "Invalid", "JSON patch on the whole document is not supported")
        node: Any = doc
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node, parts[-1]

    def get(path: str) -> Any:
        node: Any = doc
        for part in _pointer(path):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def add(path: str, value: Any) -> None:
        node, last = parent(path)
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), value)
        else:
            node[last] = value

    def remove(path: str) -> Any:
        node, last = parent(path)
        return node.pop(int(last)) if isinstance(node, list) else node.pop(last)

    try:
        for op in operations:
            kind, path = op["op"], op["path"]
            if kind == "add":
                add(path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                remove(path)
            elif kind == "replace":
                remove(path)
                add(path, copy.deepcopy(op["value"]))
            elif kind == "test":
                if get(path) != op["value"]:
                    raise ApiError(422, "Invalid", f"JSON patch test failed at {path}")
            elif kind == "copy":
                add(path, copy.deepcopy(get(op["from"])))
            elif kind == "move":
                add(path, remove(op["from"]))
            else:
                raise ApiError(400, "BadRequest", f"unknown JSON patch op {kind!r}")
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise ApiError(422, "Invalid", f"JSON patch does not apply: {exc!r}") from None
    return doc
