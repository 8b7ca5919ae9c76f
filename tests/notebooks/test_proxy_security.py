"""The notebook-server proxy as an adversary would try it (issue #12, items 5 and 6).

A user's page must never act as whoever views it: admins do not reach other users'
servers through the proxy unless ``admin_access``; pages on our origin are sandboxed (no
``allow-same-origin``); with ``subdomain_host`` each owner's servers live only on their own
host, signed in through a handshake with the main host. The proxy authenticates before it
reads a body, and no token value reaches a log line.

The end-to-end tests run one real ``jupyter lab`` of alice's (as her OS account, in
multi-user mode) behind our real server, first on one origin, then with subdomains (the
same store and folders, one server at a time), as alice, bob and admin of the HeaderUsers
identity provider (``Authorization: token <name>-token``; the server token is admin's).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket
from kube_emulator import KubeEmulator
from notebook_support import KernelChannel, load_root_conftest

from jupyter_mlops.errors import InvalidState, NotFound
from jupyter_mlops.notebooks.backends.kubernetes import KubernetesNotebookBackend
from jupyter_mlops.server.log_redaction import (
    install_log_redaction,
    redact,
    remove_log_redaction,
)
from jupyter_mlops.server.proxy import forwarded_query, upstream_url
from jupyter_mlops.server.proxy_login import LoginCodes
from jupyter_mlops.server.proxy_policy import (
    HostRole,
    ProxyPolicy,
    owner_label,
    without_frame_ancestors,
)

_root = load_root_conftest()
AUTH_TESTS = Path(__file__).resolve().parent.parent / "auth"
ACCOUNT_TEMPLATE = "mlops-{username}"
SERVER_ARGS = (
    "--ServerApp.identity_provider_class=users_identity.HeaderUsers",
    "--MlopsExtension.user_mode=multi-user",
    "--MlopsExtension.admin_users=admin",
    f"--MlopsExtension.local_account_template={ACCOUNT_TEMPLATE}",
    "--NotebookServers.monitor_interval=0.5",
    "--NotebookServers.cull_interval=0",
)
SUBDOMAINS = (
    "--MlopsExtension.subdomain_host=http://example.com",
    "--MlopsExtension.admin_access=True",
    # As docs/security.md advises: our own pages on the main host only.
    "--ServerApp.allow_remote_access=False",
    "--ServerApp.local_hostnames=example.com",
)
BOX = "mlops/servers/alice/box/"


# -- pure parts ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "ftp://example.com",
        "https://example.com/hub",
        "https://u@example.com",
        "https://example.com?x=1",
        "https://",
    ],
)
def test_a_subdomain_host_that_is_no_bare_origin_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="subdomain_host"):
        ProxyPolicy(subdomain_host=value)


def test_owners_hosts_are_dns_safe_and_distinct() -> None:
    policy = ProxyPolicy(subdomain_host="https://Example.com:8443/")
    assert policy.domain == "example.com" and policy.secure
    assert policy.owner_host("alice") == "alice.example.com"
    assert policy.owner_origin("alice") == "https://alice.example.com:8443"
    # DNS does not tell Alice from alice, nor a.b from a-b: those are escaped and hashed.
    labels = {owner_label(name) for name in ("alice", "Alice", "a.b", "a-b", "a_b", "x@y.org")}
    assert len(labels) == 6
    assert all(len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
    assert owner_label("Alice") != "alice"

    assert policy.role("alice.example.com:8443", "alice") is HostRole.OWNER
    assert policy.role("ALICE.example.com.", "alice") is HostRole.OWNER
    assert policy.role("example.com", "alice") is HostRole.MAIN
    assert policy.role("bob.example.com", "alice") is HostRole.OTHER
    assert policy.role("alice.example.com.evil.org", "alice") is HostRole.OTHER
    assert policy.role("127.0.0.1:8888", "alice") is HostRole.OTHER
    assert policy.serves("bob.example.com") and policy.serves("example.com")
    assert not policy.serves("a.b.example.com") and not policy.serves("evilexample.com")

    assert policy.owner_url("https://alice.example.com:8443/mlops/servers/alice/x/")
    for url in (
        "https://example.com:8443/mlops/servers/alice/x/",  # the main host
        "http://alice.example.com:8443/x",  # another scheme
        "https://alice.example.com/x",  # another port
        "https://evil.org:8443/x",
        "https://alice.example.com:8443@evil.org/x",
        "https://alice.example.com:port/x",
    ):
        assert not policy.owner_url(url), url


def test_our_csp_sandboxes_without_subdomains_and_replaces_frame_ancestors() -> None:
    sandboxed = ProxyPolicy().content_security_policy()
    assert "sandbox allow-scripts" in sandboxed and "allow-same-origin" not in sandboxed
    assert "frame-ancestors 'self'" in sandboxed
    own = ProxyPolicy(subdomain_host="https://example.com").content_security_policy()
    assert own == "frame-ancestors 'self'"
    # The owner's own pages (their code, acting as them) and single-user mode (one person
    # owns everything) are not sandboxed: JupyterLab needs its origin.
    assert ProxyPolicy().content_security_policy(viewer_is_owner=True) == own
    assert ProxyPolicy(single_user=True).content_security_policy() == own
    assert ProxyPolicy(single_user=True).admins_open_others
    upstream = "frame-ancestors *; report-uri /x/api/security/csp-report; default-src 'none'"
    assert without_frame_ancestors(upstream) == (
        "report-uri /x/api/security/csp-report; default-src 'none'"
    )
    assert without_frame_ancestors("frame-ancestors 'self'") == ""


def test_our_credentials_are_not_passed_on_in_the_query() -> None:
    assert forwarded_query("token=abc&a=1&_xsrf=2%7Cx&b=%20&tok%65n=x") == "a=1&b=%20"
    assert forwarded_query("token=abc") == ""
    from jupyter_mlops.notebooks.backends.base import Upstream

    up = Upstream(url="http://127.0.0.1:9/mlops/servers/alice/box/", token="t")
    assert upstream_url(up, "/api/kernels/k/channels", "token=s&session_id=1", True) == (
        "ws://127.0.0.1:9/mlops/servers/alice/box/api/kernels/k/channels?session_id=1"
    )


def test_sign_in_codes_are_signed_single_use_short_lived_and_bound_to_a_host() -> None:
    now = [1_000_000.0]
    codes = LoginCodes("cookie-secret", max_age_s=60, clock=lambda: now[0])
    code = codes.issue("alice", "alice.example.com")
    assert codes.redeem(code, "bob.example.com") is None  # another host: refused, not used up
    assert codes.redeem(code, "alice.example.com") == "alice"
    assert codes.redeem(code, "alice.example.com") is None  # once only
    assert LoginCodes("another-secret").redeem(codes.issue("a", "h"), "h") is None
    assert codes.redeem(code[:-2] + "00", "alice.example.com") is None
    late = codes.issue("alice", "alice.example.com")
    now[0] += 61
    assert codes.redeem(late, "alice.example.com") is None


def test_the_proxy_lets_admins_in_only_with_admin_access(
    mlops_notebook_service: Any, mlops_kube: KubeEmulator
) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend, admins=("root",))
    server = service.create_server("alice", name="work").server
    mlops_kube.kubelet.run("team", f"{server.names.workload}-0")
    assert service.upstream("alice", "alice", "work")[1].url
    for user, admin_access in (("root", False), ("bob", False), ("bob", True)):
        with pytest.raises(NotFound) as refused:
            service.upstream(user, "alice", "work", admin_access=admin_access)
        with pytest.raises(NotFound) as missing:
            service.upstream("alice", "alice", "none")
        assert refused.value.message == missing.value.message.replace("none", "work")
    assert service.upstream("root", "alice", "work", admin_access=True)[1].url
    # The API stays open to admins: they see, stop and start other users' servers.
    assert service.get_server("root", "alice", "work").server.owner == "alice"
    service.stop_server("root", "alice", "work")
    with pytest.raises(InvalidState):
        service.upstream("alice", "alice", "work")


def test_log_records_name_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cr3t" + secrets.token_hex(8)
    installed = install_log_redaction()
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("jupyter_mlops.notebooks.backends.local").info(
                "starting %s", ["jupyter", f"--IdentityProvider.token={secret}"]
            )
            logging.getLogger("tornado.general").warning(
                "%d %s: %s", 403, f"POST /mlops/servers/a/b/x?a=1&token={secret} (::1)", "no"
            )
            logging.getLogger("tornado.access").info(
                "302 GET /login?next=%2Fmlops%2Fservers%2Fa%2Fb%2F%3Ftoken%3D" + secret
            )
            logging.getLogger("ServerApp").debug("headers %r", {"Authorization": f"token {secret}"})
            try:
                raise RuntimeError(f"fetching http://127.0.0.1:1/x?token={secret}")
            except RuntimeError:
                logging.getLogger("jupyter_mlops.server.proxy").exception("proxy failed")
        assert len(caplog.records) == 5
        for record in caplog.records:
            assert secret not in record.getMessage()
        assert secret not in caplog.text
        assert "token=[secret]" in caplog.text and "token%3D[secret]" in caplog.text
    finally:
        if installed:
            remove_log_redaction()
    assert redact("exit code 1, state Running") == "exit code 1, state Running"


# -- a real server, a real notebook server of alice's -----------------------------------------
def _headers(server: Any, user: str | None) -> dict[str, str]:
    if user is None:
        return {}
    return server.headers if user == "admin" else {"Authorization": f"token {user}-token"}


class ProxyLab:
    """Our server in one configuration at a time, over one store and one notebook server
    of alice's (which outlives our server's restarts)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.args: tuple[str, ...] | None = None
        self.server: Any = None
        self.pids: list[int] = []
        self._stack = contextlib.ExitStack()

    def serve(self, *extra: str) -> Any:
        if self.args != extra:
            self._stack.close()
            self._stack = contextlib.ExitStack()
            # The servers' folder: one every user's account may pass through.
            folder = f"--NotebookServers.state_dir={self.root / 'servers'}"
            self.server = self._stack.enter_context(
                _root.run_mlops_server(self.root, (*SERVER_ARGS, folder, *extra))
            )
            self.args = extra
            self.wait_running()
        return self.server

    def api(self, user: str | None, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**_headers(self.server, user), **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.server.url}mlops/api/{path}", headers=headers, timeout=60, **kwargs
        )

    def wait_running(self, timeout: float = 150) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.api("alice", "GET", "notebook-servers/alice/box")
            if answer.status_code == 404:
                return  # not created yet
            status = answer.json()["server"]["status"]
            if status == "Running":
                return
            assert status != "Failed", (answer.json(), self.server.log_tail())
            time.sleep(0.3)
        raise AssertionError(f"alice/box never ran:\n{self.server.log_tail()}")

    def close(self) -> None:
        self._stack.close()
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def mlops_proxy_lab(mlops_os_accounts: dict[str, Any]) -> Iterator[ProxyLab]:
    # Every account must pass through the folders above the servers' (pytest's own
    # temporary folder is root's alone).
    root = Path(tempfile.mkdtemp(prefix="mlops-proxy-"))
    root.chmod(0o711)
    lab = ProxyLab(root)
    with pytest.MonkeyPatch.context() as patch:
        # The identity provider must be importable by the server subprocess.
        patch.setenv(
            "PYTHONPATH",
            os.pathsep.join(filter(None, [str(AUTH_TESTS), os.environ.get("PYTHONPATH")])),
        )
        try:
            lab.serve()
            created = lab.api(
                "alice", "POST", "notebook-servers", json={"name": "box", "cull_idle_seconds": 0}
            )
            assert created.status_code == 201, created.text
            lab.wait_running()
            manifest = lab.api("alice", "GET", "notebook-servers/alice/box/manifest").json()
            lab.pids.append(manifest["manifests"][0]["pid"])
            yield lab
        finally:
            lab.close()
            shutil.rmtree(root, ignore_errors=True)


def _get(lab: ProxyLab, user: str | None, path: str, **kwargs: Any) -> requests.Response:
    headers = {**_headers(lab.server, user), **kwargs.pop("headers", {})}
    return requests.get(
        lab.server.url + path, headers=headers, timeout=60, allow_redirects=False, **kwargs
    )


def _csp(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Content-Security-Policy")


def _assert_sandboxed(response: requests.Response) -> None:
    policies = _csp(response)
    assert any("sandbox allow-scripts" in p for p in policies), policies
    assert not any("allow-same-origin" in p for p in policies), policies
    directives = [d.strip() for p in policies for d in p.split(";")]
    assert [d for d in directives if d.startswith("frame-ancestors")] == ["frame-ancestors 'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.slow
def test_only_the_owner_opens_her_server_by_default(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve()
    assert _get(lab, "alice", BOX + "api/status").status_code == 200
    for user in ("bob", "admin"):
        refused = _get(lab, user, BOX + "api/status")
        missing = _get(lab, user, "mlops/servers/alice/none/api/status")
        assert refused.status_code == missing.status_code == 404, refused.text
        assert refused.json() == json.loads(missing.text.replace("alice/none", "alice/box"))
    anonymous = _get(lab, None, BOX + "api/status")
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    # The API still lets admins manage other users' servers.
    listed = lab.api("admin", "GET", "notebook-servers", params={"user": "alice"}).json()
    assert [s["name"] for s in listed["servers"]] == ["box"]
    assert lab.api("admin", "GET", "notebook-servers/alice/box").status_code == 200
    assert lab.api("bob", "GET", "notebook-servers/alice/box").status_code == 404


@pytest.mark.slow
def test_pages_shown_to_anyone_but_their_owner_are_sandboxed(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    # admin_access lets the admin in, on our own origin (no subdomains): the one case where
    # a user's page reaches someone else's browser.
    lab.serve("--MlopsExtension.admin_access=True")
    page = _get(lab, "admin", BOX + "lab")
    assert page.status_code == 200 and f"/{BOX}" in page.text
    _assert_sandboxed(page)
    # An answer of the notebook server's API keeps its own policy, minus frame-ancestors.
    status = _get(lab, "admin", BOX + "api/status")
    _assert_sandboxed(status)
    assert any("default-src 'none'" in p for p in _csp(status)), _csp(status)
    # A user's HTML file, and the notebook server's errors, too.
    html = "<script>fetch('/mlops/api/me').then(r => r.text()).then(alert)</script>"
    put = requests.put(
        lab.server.url + BOX + "api/contents/page.html",
        json={"type": "file", "format": "text", "content": html},
        headers=_headers(lab.server, "alice"),
        timeout=60,
    )
    assert put.status_code in (200, 201), put.text
    served = _get(lab, "admin", BOX + "files/page.html")
    assert served.status_code == 200 and "<script>" in served.text
    _assert_sandboxed(served)
    _assert_sandboxed(_get(lab, "admin", BOX + "api/contents/no-such-file"))
    # Shown to alice herself, her pages are her code acting as her: JupyterLab keeps its
    # origin (a sandbox would stop it), and only who may frame it is ours to say.
    own = _get(lab, "alice", BOX + "lab")
    assert own.status_code == 200 and f"/{BOX}" in own.text
    assert not any("sandbox" in p for p in _csp(own)), _csp(own)
    assert "frame-ancestors 'self'" in _csp(own)


def _raw_status(port: int, request: bytes, timeout: float = 15) -> tuple[int, float]:
    """Send ``request`` (headers only) and read the status of the answer, and how long
    it took; the body the headers announce is never sent."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), time.monotonic() - started


@pytest.mark.slow
def test_no_body_is_read_before_the_caller_is_known_and_allowed(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    server = lab.serve()
    port = urllib.parse.urlsplit(server.url).port
    assert port is not None
    for user, expected in ((None, 403), ("bob", 404), ("admin", 404)):
        auth = "".join(f"{k}: {v}\r\n" for k, v in _headers(server, user).items())
        request = (
            f"PUT /{BOX}api/contents/big.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 100000000\r\n{auth}\r\n"
        ).encode()
        status, seconds = _raw_status(port, request)
        # Answered at once, without the 100 MB the headers promise.
        assert (status, seconds < 10) == (expected, True), (user, status, seconds)


@pytest.mark.slow
def test_bodies_stream_through_to_the_notebook_server(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve()
    url = lab.server.url + BOX + "api/contents/big.txt"
    content = secrets.token_hex(1024 * 1024)  # 2 MiB of text
    body = json.dumps({"type": "file", "format": "text", "content": content}).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    headers = {**_headers(lab.server, "alice"), "Content-Type": "application/json"}
    for data in (body, chunks()):
        put = requests.put(url, data=data, headers=headers, timeout=120)
        assert put.status_code in (200, 201), put.text
        got = requests.get(url, params={"content": "1"}, headers=headers, timeout=120)
        assert got.json()["content"] == content


@pytest.mark.slow
def test_kernels_work_through_the_proxy(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve()
    headers = _headers(lab.server, "alice")
    base = lab.server.url + BOX
    kernel = requests.post(
        base + "api/kernels", json={"name": "python3"}, headers=headers, timeout=60
    )
    assert kernel.status_code == 201, kernel.text
    channel = KernelChannel(
        base.replace("http", "ws", 1) + f"api/kernels/{kernel.json()['id']}/channels", headers
    )
    try:
        assert channel.execute("import getpass; print(6 * 7, getpass.getuser())").split() == [
            "42",
            "mlops-alice",
        ]
    finally:
        channel.close()
    assert (
        requests.delete(
            base + f"api/kernels/{kernel.json()['id']}", headers=headers, timeout=60
        ).status_code
        == 204
    )


@pytest.mark.slow
def test_no_token_value_reaches_the_log(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    server = lab.serve()
    secret = "leak" + secrets.token_hex(12)
    probes = [
        ("GET", None, f"{BOX}api/status?token={secret}"),  # 302 to the login, token in next=
        ("POST", None, f"{BOX}api/kernels?token={secret}"),  # 403: no XSRF cookie
        ("GET", "bob", f"{BOX}api/status?token={secret}"),  # 404
        ("GET", "alice", f"{BOX}api/contents/none?token={secret}"),  # the notebook server's 404
        ("GET", "alice", f"mlops/servers/alice/box?token={secret}"),  # 302 to the folder
        ("GET", "alice", f"mlops/api/nothing?token={secret}"),
    ]
    for method, user, path in probes:
        answer = requests.request(
            method,
            server.url + path,
            headers=_headers(server, user),
            timeout=60,
            allow_redirects=False,
        )
        assert answer.status_code in (302, 403, 404), (path, answer.status_code)
    time.sleep(0.5)  # the last lines reach the file
    log = server.log.read_text(errors="replace")
    assert secret not in log
    # The lines were written, with the value replaced (tornado's own warning among them).
    assert "token=[secret]" in log and "403 POST" in log


# -- with subdomains ----------------------------------------------------------------------------
def _on(lab: ProxyLab, host: str, user: str | None, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Host": host, **kwargs.pop("headers", {})}
    method = kwargs.pop("method", "GET")
    return requests.request(
        method,
        lab.server.url + path,
        headers={**_headers(lab.server, user), **headers},
        timeout=60,
        allow_redirects=False,
        **kwargs,
    )


def _path_of(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return (parts.path + ("?" + parts.query if parts.query else "")).lstrip("/")


def _cookie(response: requests.Response, name: str) -> tuple[str, str]:
    """The value of cookie ``name`` set by ``response``, and its whole Set-Cookie line."""
    for line in response.raw.headers.getlist("Set-Cookie"):
        if line.startswith(name + "="):
            return line.split(";", 1)[0].split("=", 1)[1], line
    raise AssertionError(f"no {name} cookie in {response.raw.headers.getlist('Set-Cookie')}")


@pytest.mark.slow
def test_with_subdomains_each_owner_has_a_host_of_her_own(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve(*SUBDOMAINS)
    # On the main host: sent to alice's, whoever asks (before any body is read).
    moved = _on(lab, "example.com", None, BOX + "lab?reset=1")
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"http://alice.example.com/{BOX}lab?reset=1"
    posted = _on(lab, "example.com", "alice", BOX + "api/kernels", method="POST")
    assert posted.status_code == 307
    # On her own host: alice, and admin (admin_access is on here), not bob; no sandbox.
    for user, expected in (("alice", 200), ("admin", 200), ("bob", 404)):
        answer = _on(lab, "alice.example.com", user, BOX + "api/status")
        assert answer.status_code == expected, (user, answer.text)
    page = _on(lab, "alice.example.com", "alice", BOX + "lab")
    assert page.status_code == 200
    assert _csp(page)[-1] == "frame-ancestors 'self'"
    assert not any("sandbox" in p for p in _csp(page)) and "frame-ancestors *" not in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # Our own pages and API answer on the main host only (the proxy alone accepts owners'
    # hosts): no page of ours, a login form least of all, on a host a user's code owns.
    for path in ("mlops/api/me", "lab", "login"):
        assert _on(lab, "alice.example.com", "alice", path).status_code == 403, path
        assert _on(lab, "example.com", "alice", path).status_code in (200, 302), path
    # Anywhere else (bob's host, a bare address): the 404 of a missing server.
    for host in ("bob.example.com", "127.0.0.1", "alice.example.org"):
        for user in ("alice", "admin"):
            refused = _on(lab, host, user, BOX + "api/status")
            assert refused.status_code == 404, (host, user)
            assert refused.json()["error"]["message"] == "no notebook server alice/box"


@pytest.mark.slow
def test_the_subdomain_sign_in_handshake(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve(*SUBDOMAINS)
    # 1. No credentials on alice's host: sign in on the main host, then come back.
    anonymous = _on(lab, "alice.example.com", None, BOX + "lab?x=1")
    assert anonymous.status_code == 302
    login = urllib.parse.urlsplit(anonymous.headers["Location"])
    assert (login.scheme, login.netloc, login.path) == (
        "http",
        "example.com",
        "/mlops/servers-login",
    )
    assert urllib.parse.parse_qs(login.query)["next"] == [f"http://alice.example.com/{BOX}lab?x=1"]
    login_path = _path_of(anonymous.headers["Location"])
    # Not signed in on the main host either: its login page first.
    assert _on(lab, "example.com", None, login_path).status_code == 302
    assert _on(lab, "alice.example.com", "alice", login_path).status_code == 404
    for bad in (
        "http://evil.org/mlops/servers/alice/box/",
        "http://example.com/mlops/servers/alice/box/",
        "http://alice.example.com/mlops/api/me",
        "https://alice.example.com/mlops/servers/alice/box/",
    ):
        query = urllib.parse.urlencode({"next": bad})
        answer = _on(lab, "example.com", "alice", f"mlops/servers-login?{query}")
        assert answer.status_code == 400, bad

    # 2. Signed in (here by token): back to alice's host with a code for it.
    coded = _on(lab, "example.com", "alice", login_path)
    assert coded.status_code == 302, coded.text
    back = urllib.parse.urlsplit(coded.headers["Location"])
    assert (back.netloc, back.path) == ("alice.example.com", "/mlops/servers-callback")
    callback = _path_of(coded.headers["Location"])
    code = urllib.parse.parse_qs(back.query)["code"][0]
    # The code is for alice's host only, and cannot be forged.
    assert _on(lab, "bob.example.com", None, callback).status_code == 403
    forged = callback.replace(urllib.parse.quote(code[-8:], safe=""), "A" * 8)
    assert forged != callback and _on(lab, "alice.example.com", None, forged).status_code == 403

    # 3. Traded for a cookie of that host alone; the code is used up.
    traded = _on(lab, "alice.example.com", None, callback)
    assert traded.status_code == 302 and traded.headers["Location"] == f"/{BOX}lab?x=1"
    value, line = _cookie(traded, "mlops-proxy-user")
    attributes = {a.strip().split("=")[0].lower() for a in line.split(";")[1:]}
    assert {"httponly", "path", "expires"} <= attributes and "domain" not in attributes
    assert "SameSite=Lax" in line and "Path=/mlops/servers/" in line
    assert _on(lab, "alice.example.com", None, callback).status_code == 403
    signed_in = {"Cookie": f"mlops-proxy-user={value}"}
    assert _on(lab, "alice.example.com", None, BOX + "api/status", headers=signed_in).ok


def _sign_in(lab: ProxyLab, user: str) -> str:
    """The cookie ``user`` gets on alice's host through the handshake."""
    start = _on(lab, "alice.example.com", None, BOX + "lab")
    coded = _on(lab, "example.com", user, _path_of(start.headers["Location"]))
    traded = _on(lab, "alice.example.com", None, _path_of(coded.headers["Location"]))
    return _cookie(traded, "mlops-proxy-user")[0]


@pytest.mark.slow
def test_the_subdomain_cookie_serves_its_user_on_its_host_only(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve(*SUBDOMAINS)
    value = _sign_in(lab, "alice")
    cookie = {"Cookie": f"mlops-proxy-user={value}"}
    page = _on(lab, "alice.example.com", None, BOX + "lab", headers=cookie)
    assert page.status_code == 200, page.text
    xsrf, xsrf_line = _cookie(page, "_xsrf")
    assert "domain" not in xsrf_line.lower()
    # Changes need the XSRF token too (the cookie alone is what a cross-site form sends).
    create = {"method": "POST", "json": {"type": "notebook"}}
    refused = _on(lab, "alice.example.com", None, BOX + "api/contents", headers=cookie, **create)
    assert refused.status_code == 403
    both = {"Cookie": f"mlops-proxy-user={value}; _xsrf={xsrf}", "X-XSRFToken": xsrf}
    created = _on(lab, "alice.example.com", None, BOX + "api/contents", headers=both, **create)
    assert created.status_code == 201, created.text

    # The cookie names alice on alice's host only: elsewhere it is nobody's.
    elsewhere = _on(lab, "carol.example.com", None, "mlops/servers/carol/x/lab", headers=cookie)
    assert elsewhere.status_code == 302 and "servers-login" in elsewhere.headers["Location"]

    # Bob may sign in on alice's host, and then gets what bob gets there: nothing.
    bob_cookie = {"Cookie": f"mlops-proxy-user={_sign_in(lab, 'bob')}"}
    assert _on(lab, "alice.example.com", None, BOX + "lab", headers=bob_cookie).status_code == 404

    # Kernels over WebSocket, with the cookie, from alice's own origin only.
    kernel = _on(
        lab,
        "alice.example.com",
        "alice",
        BOX + "api/kernels",
        method="POST",
        json={"name": "python3"},
    )
    assert kernel.status_code == 201, kernel.text
    ws_url = (
        lab.server.url.replace("http", "ws", 1)
        + BOX
        + f"api/kernels/{kernel.json()['id']}/channels"
    )
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(
            ws_url,
            host="alice.example.com",
            origin="http://bob.example.com",
            cookie=f"mlops-proxy-user={value}",
            timeout=30,
        ).close()
    connection = websocket.create_connection(
        ws_url,
        host="alice.example.com",
        origin="http://alice.example.com",
        cookie=f"mlops-proxy-user={value}",
        timeout=60,
    )
    connection.close()


@pytest.mark.slow
def test_admins_still_stop_start_and_delete_other_users_servers(mlops_proxy_lab: ProxyLab) -> None:
    lab = mlops_proxy_lab
    lab.serve()
    stopped = lab.api("admin", "POST", "notebook-servers/alice/box/stop")
    assert stopped.status_code == 200 and stopped.json()["server"]["status"] == "Stopped"
    started = lab.api("admin", "POST", "notebook-servers/alice/box/start")
    assert started.status_code == 200, started.text
    lab.pids.extend(
        m["pid"]
        for m in lab.api("admin", "GET", "notebook-servers/alice/box/manifest").json()["manifests"]
        if m.get("pid")
    )
    deleted = lab.api(
        "admin", "DELETE", "notebook-servers/alice/box", params={"delete_volume": "true"}
    )
    assert deleted.status_code == 204
    assert lab.api("alice", "GET", "notebook-servers").json()["servers"] == []
