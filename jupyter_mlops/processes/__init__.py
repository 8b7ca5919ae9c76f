"""Starting processes that run user code: who they run as, and what they inherit.

Every process jupyter-mlops starts on this machine (notebook servers, pipeline steps,
scoring workers) goes through :class:`ProcessPolicy`: its environment is built from an
allowlist (never the server's token, cookie secret or database URL), and in multi-user
mode it runs as its owner's operating-system account, as JupyterHub's
LocalProcessSpawner does.
"""

from .accounts import OsAccount, lookup_account
from .environment import DEFAULT_ENVIRONMENT_ALLOWLIST, child_environment
from .policy import ProcessPolicy, UserMode

__all__ = [
    "DEFAULT_ENVIRONMENT_ALLOWLIST",
    "OsAccount",
    "ProcessPolicy",
    "UserMode",
    "child_environment",
    "lookup_account",
]
