"""Loading the magics into kernels started by a jupyter server with our extension.

The server extension sets ``PYTHONSTARTUP`` for the kernels it starts to
``kernel_startup.py`` next to this module (keeping any previous value in
``JUPYTER_MLOPS_USER_PYTHONSTARTUP``). IPython kernels run that file in the user
namespace once the shell exists; it calls ``load_into_kernel`` which registers ``%track``
and then runs the user's own startup file, so nothing the user set up is lost. Plain
``python`` prompts (e.g. in a JupyterLab terminal) run it too and only get the chaining.

Why this way: IPython has no per-package config directory (only one
``ipython_kernel_config.py`` per environment, which a package must not claim), kernel
specs belong to the user, and running code from the frontend when a kernel starts races
the user's first cell. ``PYTHONSTARTUP`` is honoured by every IPython kernel before the
first request is served, and it is scoped to the kernels (and terminals) of this server.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The file the server points ``PYTHONSTARTUP`` at.
STARTUP_FILE = Path(__file__).with_name("kernel_startup.py")
#: The ``PYTHONSTARTUP`` the server had before, run after ours.
ENV_USER_STARTUP = "JUPYTER_MLOPS_USER_PYTHONSTARTUP"


def load_into_kernel(namespace: dict[str, Any]) -> None:
    """Register the magics in the running IPython shell (if any), then run the user's
    own ``PYTHONSTARTUP`` file in ``namespace``. Never raises: a kernel must start."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            from . import register

            register(shell)
    except Exception:
        log.exception("jupyter-mlops: could not load the %%track magics")
    user_startup = os.environ.get(ENV_USER_STARTUP)
    if user_startup and Path(user_startup).resolve() != STARTUP_FILE.resolve():
        path = Path(user_startup).expanduser()
        if path.is_file():
            code = compile(path.read_text(), str(path), "exec")
            exec(code, namespace)
