"""Stage one of a step container's start, on the image's own Python: when the image lacks
jupyter-mlops, fetch the server's runtime wheel and make it importable; then become the
step runner.

``manifests.runner_command()`` embeds this module's source (docstrings dropped) in every
step container's command, so it may use only the standard library and must still parse on
an old Python, to say that it is too old. What needs the package itself (installing the
runner's few third-party imports) is stage two, ``requirements``, which comes with the
wheel and therefore always matches the server's version.

How the wheel becomes importable: it is unpacked into a temporary folder that goes first on
``PYTHONPATH`` (for the runner, and for what it starts: notebook kernels, shell steps).
Not ``pip install``: pip may be missing, site-packages may belong to another user, and the
image's environment stays as the image's author made it. Not the wheel file itself on
``PYTHONPATH`` (a pure wheel imports as a zip): files the package finds next to its modules
(the kernel start-up file of the magics, the schema and migration folders) do not exist
inside a zip, and zipimport writes no bytecode. Downloaded with urllib, the token in the
Authorization header only (never in a URL or an argument, which logs and ``ps`` show), and
not sent on to wherever a redirect points.
"""

from __future__ import annotations

import importlib.util
import io
import os
import platform
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

ENV_TRACKING_URI = "JUPYTER_MLOPS_TRACKING_URI"
ENV_TOKEN = "JUPYTER_MLOPS_TOKEN"
#: Where the server serves its runtime wheel, relative to its URL (base URL included).
RUNTIME_PATH = "mlops/api/pipelines/runtime/"
RUNNER_MODULE = "jupyter_mlops.pipelines.runtime.runner"


class BootstrapError(Exception):
    """The step cannot start; the message says why and what to do."""


def main(wheel: str) -> None:
    """Run the step runner with this process's arguments, fetching ``wheel`` first when
    the image has no jupyter-mlops."""
    args = sys.argv[1:]
    if importlib.util.find_spec("jupyter_mlops") is None:
        try:
            require_python()
            url = runtime_url(os.environ.get(ENV_TRACKING_URI, ""), wheel)
            folder = unpack(fetch(url, os.environ.get(ENV_TOKEN) or None))
        except BootstrapError as exc:
            # The step runner's own failure line, which the backends take as the step's error.
            print(f"step failed: {exc}", file=sys.stderr, flush=True)
            sys.exit(1)
        sys.path.insert(0, folder)
        from jupyter_mlops.pipelines.runtime.requirements import ensure_requirements

        # Before PYTHONPATH names the folder: pip would take jupyter-mlops for installed,
        # and complain about the server-side requirements that steps never import.
        ensure_requirements(args)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            part for part in (folder, os.environ.get("PYTHONPATH")) if part
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", RUNNER_MODULE, *args])


def require_python() -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 (the image's Python, not the server's)
        raise BootstrapError(
            f"pipeline steps need Python 3.10 or newer; this image has"
            f" {platform.python_version()} ({sys.executable})"
        )


def runtime_url(tracking_uri: str, wheel: str) -> str:
    """The wheel's URL on the server that the step logs to."""
    if not tracking_uri.startswith(("http://", "https://")):
        # Never echo the value: a store URI may hold a password.
        given = f"a {tracking_uri.partition(':')[0]}: URI" if tracking_uri else "not set"
        raise BootstrapError(
            f"this image has no jupyter-mlops and {ENV_TRACKING_URI} is {given}, not a"
            " server URL to download it from: use an image with jupyter-mlops installed"
        )
    return tracking_uri.rstrip("/") + "/" + RUNTIME_PATH + wheel


def fetch(url: str, token: str | None, attempts: int = 3, timeout: float = 60) -> bytes:
    """The wheel's bytes; connection failures and 5xx answers are retried (a server that
    restarts), refusals are not."""
    request = urllib.request.Request(url)
    if token:
        request.add_unredirected_header("Authorization", f"token {token}")
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == attempts:
                raise BootstrapError(refusal(url, exc.code, exc.reason, token)) from None
        except (urllib.error.URLError, OSError) as exc:
            if attempt == attempts:
                reason = getattr(exc, "reason", exc)
                raise BootstrapError(
                    f"cannot reach the jupyter-mlops server to download the step runtime"
                    f" ({url}): {reason}. The pod needs network access to the server"
                    " (Pipelines.tracking_url is its URL as seen from the"
                    " cluster), or an image with jupyter-mlops installed"
                ) from None
        time.sleep(2 ** (attempt - 1))
    raise BootstrapError(f"no attempt to download {url} was made")


def refusal(url: str, status: int, reason: str, token: str | None) -> str:
    text = f"the server refused the step runtime download ({url}): HTTP {status} {reason}"
    where = f"{ENV_TOKEN} (from the run's token Secret, mlops-<run>-token)"
    if status in (401, 403) and not token:
        return f"{text}. The pod has no token: {where} is empty"
    if status in (401, 403):
        return f"{text}. The server does not accept the token in {where}"
    if status == 404:
        return (
            f"{text}. The server runs another jupyter-mlops version than the one that"
            " created this step (upgraded since?): submit the run again"
        )
    return text


def unpack(data: bytes) -> str:
    """Unpack the wheel into a new temporary folder; its path."""
    folder = tempfile.mkdtemp(prefix="mlops-runtime-")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            wheel.extractall(folder)
    except zipfile.BadZipFile:
        raise BootstrapError("the server's answer is not a wheel (a proxy's page?)") from None
    return folder
