"""Write docs/configuration.md from the settings classes' traits and their help texts.

Run ``python docs/make_config_reference.py`` after changing a trait; a test checks the
page is current.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

PAGE = Path(__file__).with_name("configuration.md")

INTRO = """# Configuration

Every setting of the jupyter-mlops server extension is a trait of one settings class: the
server's own on `MlopsExtension`, and one class per domain (`Tracking`, `NotebookServers`,
`Pipelines`, `Scoring`, `Kube`), plus the options of a backend that has some
(`LocalNotebookBackend`). Set them in `jupyter_server_config.py`:

```python
c.Tracking.store_uri = "postgresql+psycopg://mlops@db.internal/mlops"
c.Tracking.artifact_root = "/shared/mlops-artifacts"
c.MlopsExtension.admin_users = {"alice", "bob"}
c.NotebookServers.images = ["quay.io/jupyter/scipy-notebook:2024-05-27"]
c.Pipelines.parallelism = 8
c.Kube.context = "team-cluster"
```

or on the command line: `jupyter lab --MlopsExtension.max_workers=16 --Pipelines.parallelism=8`.

This page is generated from the traits' help texts by `docs/make_config_reference.py`.
"""

LEGACY_INTRO = """## Old names

Until this release every setting was a trait of `MlopsExtension`. The old names still work
for one release: the server copies each to its new name (unless that is set too) and logs
a deprecation warning for it.

| Old name | New name |
|---|---|
"""


def _classes() -> list[type]:
    from jupyter_mlops.config import SETTINGS_CLASSES
    from jupyter_mlops.notebooks.backends.local import LocalNotebookBackend
    from jupyter_mlops.server.extension import MlopsExtension

    # Backends with options of their own follow the settings classes.
    return [MlopsExtension, *SETTINGS_CLASSES, LocalNotebookBackend]


def _default(cls: type, trait: object) -> str:
    name = trait.name  # type: ignore[attr-defined]
    if f"_default_{name}" in vars(cls):
        return "computed (see description)"
    return f"`{trait.default_value_repr()}`"  # type: ignore[attr-defined]


def _one_line(text: str) -> str:
    return " ".join(inspect.cleandoc(text).split()).replace("|", "\\|")


def _section(cls: type) -> str:
    """A heading, the class's docstring and a table of its traits."""
    rows = [
        f"| `{cls.__name__}.{name}` | {type(trait).__name__} | {_default(cls, trait)} "
        f"| {_one_line(trait.help)} |"
        for name, trait in sorted(cls.class_own_traits(config=True).items())  # type: ignore[attr-defined]
    ]
    header = "| Trait | Type | Default | Description |\n|---|---|---|---|\n"
    return f"## {cls.__name__}\n\n{_one_line(cls.__doc__ or '')}\n\n{header}" + "\n".join(rows)


def _legacy_section() -> str:
    from jupyter_mlops.config.legacy import LEGACY_NAMES, LEGACY_SECTION

    rows = [
        f"| `{LEGACY_SECTION}.{old}` | `{section}.{new}` |"
        for old, (section, new) in sorted(LEGACY_NAMES.items())
    ]
    return LEGACY_INTRO + "\n".join(rows)


def render() -> str:
    sections = [_section(cls) for cls in _classes()]
    return "\n\n".join([INTRO.rstrip("\n"), *sections, _legacy_section()]) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
