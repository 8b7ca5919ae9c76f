"""IPython magics: ``%track`` / ``%%track``.

``%load_ext jupyter_mlops`` registers them; kernels started by a jupyter server with the
jupyter-mlops extension get them without it (see ``jupyter_mlops.magics.autoload``).
IPython is imported only when the magics are registered: the server imports this package
for the startup file's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .magics import TrackMagics

__all__ = ["TrackMagics", "register"]


def register(shell: Any) -> TrackMagics:
    """Register the magics on ``shell`` once; later calls return the registered instance."""
    from .magics import TrackMagics

    existing = shell.magics_manager.registry.get(TrackMagics.__name__)
    if isinstance(existing, TrackMagics):
        return existing
    magics = TrackMagics(shell=shell)
    shell.register_magics(magics)
    return magics


def __getattr__(name: str) -> Any:
    if name == "TrackMagics":
        from .magics import TrackMagics

        return TrackMagics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
