"""The environment of a process we start: built from an allowlist, never inherited whole.

The server's environment holds what user code must never see: jupyter's token
(``JUPYTER_TOKEN``, and ``JUPYTER_MLOPS_TOKEN`` that we export for kernels), database
URLs and cloud credentials. A child gets only the variables named here (locale, search
paths, numeric-library knobs), then what its caller adds on purpose.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping

from .accounts import OsAccount

#: Variables (or ``fnmatch`` patterns) a child inherits from the server. None of them
#: names a secret; add more with ``MlopsExtension.child_environment_allowlist``.
DEFAULT_ENVIRONMENT_ALLOWLIST: tuple[str, ...] = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TZ",
    "TERM",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "LD_LIBRARY_PATH",
    # Numeric libraries: thread counts, and the OpenBLAS core type some processors need
    # for correct results.
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_*",
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
    # TLS trust and proxies, so that children reach what the server reaches.
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)

#: Never passed on, whatever the allowlist says: the server's own credentials.
_NEVER = ("JUPYTER_TOKEN", "JUPYTER_MLOPS_*", "JPY_*", "JUPYTERHUB_*", "*PASSWORD*", "*SECRET*")


def child_environment(
    extra: Mapping[str, str] | None = None,
    *,
    account: OsAccount | None = None,
    allowlist: Iterable[str] = DEFAULT_ENVIRONMENT_ALLOWLIST,
    source: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a child process.

    ``source`` (default ``os.environ``) is filtered through ``allowlist``; ``account``
    (the OS account the child runs as) sets ``HOME``, ``USER``, ``LOGNAME`` and ``SHELL``
    as a login would; ``extra`` is added last, as given: the caller's deliberate choice
    (a tracking URL, an owner-scoped token, a step's own variables).
    """
    source = os.environ if source is None else source
    patterns = tuple(allowlist)
    env = {
        name: value
        for name, value in source.items()
        if _matches(name, patterns) and not _matches(name, _NEVER)
    }
    if account is not None:
        env.update(account.login_environment())
    else:
        for name in ("HOME", "USER", "LOGNAME", "SHELL"):
            if name in source:
                env[name] = source[name]
    env.update(extra or {})
    return env


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
