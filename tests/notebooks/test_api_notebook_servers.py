"""The REST API and the proxy, with several users: a user sees, changes and reaches only
their own servers; an admin sees, changes and reaches everyone's. Kubernetes backend
against the emulator (no processes); every exchange checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kube_emulator import KubeEmulator
from server_support import ApiCall, TokenUsers, as_user

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")
BACKEND = "jupyter_mlops.notebooks.backends.kubernetes.KubernetesNotebookBackend"


@pytest.fixture
def mlops_kube_api() -> Iterator[KubeEmulator]:
    emulator = KubeEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config(mlops_kube_api: KubeEmulator, tmp_path: Any) -> dict[str, Any]:
    return {
        "admin_users": {"root"},
        "Kube": {"api_host": mlops_kube_api.url},
        "NotebookServers": {
            "backend_class": BACKEND,
            "namespace": "team",
            "state_dir": str(tmp_path / "servers"),
            "gpu_resources": ["nvidia.com/gpu"],
            "quotas": {"default": {"servers": 2, "gpus": 1}},
            "profiles": [
                {
                    "slug": "small",
                    "display_name": "Small",
                    "default": True,
                    "overrides": {"cpu": "1"},
                }
            ],
        },
    }


async def _create(api: ApiCall, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await api("POST", "notebook-servers", json=body, headers=headers)
    assert response.status == 201, response.body
    server: dict[str, Any] = response.json()["server"]
    return server


async def test_lifecycle_over_rest(mlops_api: ApiCall, mlops_kube_api: KubeEmulator) -> None:
    options = await mlops_api("GET", "notebook-servers/options", headers=ALICE)
    assert options.status == 200
    assert options.json()["gpu_resources"] == ["nvidia.com/gpu"]
    assert options.json()["is_admin"] is False and "users" not in options.json()

    server = await _create(mlops_api, ALICE, name="work", memory="2Gi")
    assert server["owner"] == "alice" and server["spec"]["cpu"] == "1"  # from the profile
    assert server["url"].endswith("/mlops/servers/alice/work/")
    assert server["status"] == "Pending"

    mlops_kube_api.kubelet.run("team", f"{server['names']['workload']}-0", log="hello\n")
    events = await mlops_api("GET", "notebook-servers/alice/work/events", headers=ALICE)
    body = events.json()
    assert body["server"]["status"] == "Running"
    assert "Ready" in [e["reason"] for e in body["events"]]
    later = await mlops_api(
        "GET", "notebook-servers/alice/work/events", params={"since": body["cursor"]}, headers=ALICE
    )
    assert later.json()["events"] == [] and later.json()["cursor"] == body["cursor"]

    logs = await mlops_api("GET", "notebook-servers/alice/work/logs", headers=ALICE)
    assert logs.json() == {"logs": "hello\n"}
    manifest = await mlops_api("GET", "notebook-servers/alice/work/manifest", headers=ALICE)
    assert "StatefulSet" in [d["kind"] for d in manifest.json()["manifests"]]

    edited = await mlops_api(
        "PATCH", "notebook-servers/alice/work", json={"memory": "3Gi"}, headers=ALICE
    )
    assert edited.json()["server"]["spec"]["memory"] == "3Gi"
    assert edited.json()["server"]["restart_required"] is True

    stopped = await mlops_api("POST", "notebook-servers/alice/work/stop", headers=ALICE)
    assert stopped.json()["server"]["status"] == "Stopped"
    started = await mlops_api("POST", "notebook-servers/alice/work/start", headers=ALICE)
    assert started.json()["server"]["status"] in ("Pending", "Starting")
    deleted = await mlops_api(
        "DELETE", "notebook-servers/alice/work", params={"delete_volume": "true"}, headers=ALICE
    )
    assert deleted.status == 204
    assert mlops_kube_api.list("v1", "PersistentVolumeClaim", "team") == []


async def test_bad_input_names_the_field(mlops_api: ApiCall) -> None:
    cases = [
        ({"name": "no spaces"}, 400, "name"),
        ({"name": "ok", "cpu": "lots"}, 400, "cpu"),
        ({"name": "ok", "gpus": 2}, 403, "gpus"),
        ({"name": "ok", "image": "evil/miner"}, 403, "image"),
        ({"name": "ok", "colour": "red"}, 400, None),
    ]
    for body, status, field in cases:
        response = await mlops_api("POST", "notebook-servers", json=body, headers=ALICE)
        assert response.status == status, (body, response.body)
        if field:
            assert response.error["field"] == field
    await _create(mlops_api, ALICE, name="one", start=False)
    await _create(mlops_api, ALICE, name="two", start=False)
    third = await mlops_api("POST", "notebook-servers", json={"name": "three"}, headers=ALICE)
    assert third.status == 403 and third.error["field"] == "servers"
    again = await mlops_api("POST", "notebook-servers", json={"name": "one"}, headers=ALICE)
    assert again.status == 409
    bad_tail = await mlops_api(
        "GET", "notebook-servers/alice/one/logs", params={"tail": 0}, headers=ALICE
    )
    assert bad_tail.status == 400 and bad_tail.error["field"] == "tail"
    not_editable = await mlops_api(
        "PATCH", "notebook-servers/alice/one", json={"workspace": {}}, headers=ALICE, validate=False
    )
    assert not_editable.status == 400


async def test_users_see_only_their_own_and_admins_everything(
    mlops_api: ApiCall, http_server_client: Any, jp_base_url: str
) -> None:
    await _create(mlops_api, ALICE, name="work", start=False)
    await _create(mlops_api, BOB, name="mine", start=False)

    mine = await mlops_api("GET", "notebook-servers", headers=BOB)
    assert [(s["owner"], s["name"]) for s in mine.json()["servers"]] == [("bob", "mine")]
    spying = await mlops_api("GET", "notebook-servers", params={"user": "alice"}, headers=BOB)
    assert spying.status == 403
    for method, path in [
        ("GET", "notebook-servers/alice/work"),
        ("POST", "notebook-servers/alice/work/stop"),
        ("POST", "notebook-servers/alice/work/start"),
        ("GET", "notebook-servers/alice/work/logs"),
        ("GET", "notebook-servers/alice/work/events"),
        ("GET", "notebook-servers/alice/work/manifest"),
        ("PATCH", "notebook-servers/alice/work"),
        ("DELETE", "notebook-servers/alice/work"),
    ]:
        kwargs: dict[str, Any] = {"json": {"memory": "1Gi"}} if method == "PATCH" else {}
        response = await mlops_api(method, path, headers=BOB, **kwargs)
        assert response.status == 404, (method, path, response.status)
    # Nor for others: only admins create servers for someone else.
    for_alice = await mlops_api(
        "POST", "notebook-servers", json={"name": "x", "owner": "alice"}, headers=BOB
    )
    assert for_alice.status == 403 and for_alice.error["field"] == "owner"
    # The proxy refuses Bob too (the same 404 as for a server that does not exist).
    proxied = await http_server_client.fetch(
        f"{jp_base_url}mlops/servers/alice/work/api/status",
        headers=BOB,
        raise_error=False,
    )
    assert proxied.code == 404

    everyone = await mlops_api("GET", "notebook-servers", headers=ROOT)
    assert {(s["owner"], s["name"]) for s in everyone.json()["servers"]} == {
        ("alice", "work"),
        ("bob", "mine"),
    }
    # The admin manages both, but opens neither (admin_access is off): the panel's Open
    # button follows "openable".
    assert {s["name"]: s["openable"] for s in everyone.json()["servers"]} == {
        "work": False,
        "mine": False,
    }
    own = await mlops_api("GET", "notebook-servers/alice/work", headers=ALICE)
    assert own.json()["server"]["openable"] is True
    only_bob = await mlops_api("GET", "notebook-servers", params={"user": "bob"}, headers=ROOT)
    assert [s["owner"] for s in only_bob.json()["servers"]] == ["bob"]
    assert (await mlops_api("GET", "notebook-servers/alice/work", headers=ROOT)).status == 200
    started = await mlops_api("POST", "notebook-servers/alice/work/start", headers=ROOT)
    assert started.status == 200
    stopped = await mlops_api("POST", "notebook-servers/alice/work/stop", headers=ROOT)
    assert stopped.json()["server"]["status"] == "Stopped"
    for_carol = await _create(mlops_api, ROOT, name="lab", owner="carol", start=False)
    assert for_carol["owner"] == "carol"
    options = await mlops_api("GET", "notebook-servers/options", headers=ROOT)
    assert {"alice", "bob", "carol", "root"} <= set(options.json()["users"])
    # Unauthenticated: nothing.
    anonymous = await mlops_api("GET", "notebook-servers", auth=False)
    assert anonymous.status == 403
    # A stopped server cannot be reached, even by its owner: 409 with the reason.
    proxied = await http_server_client.fetch(
        f"{jp_base_url}mlops/servers/alice/work/api/status", headers=ALICE, raise_error=False
    )
    assert proxied.code == 409
    # An admin does not reach it through the proxy: admin_access is off by default (the
    # same 404 as for a missing server; see test_proxy_security.py).
    as_admin = await http_server_client.fetch(
        f"{jp_base_url}mlops/servers/alice/work/api/status", headers=ROOT, raise_error=False
    )
    assert as_admin.code == 404 and b"Stopped" not in as_admin.body
