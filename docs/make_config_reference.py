"""Write docs/configuration.md from MlopsExtension's traits and their help texts.

Run ``python docs/make_config_reference.py`` after changing a trait; a test checks the
page is current.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

PAGE = Path(__file__).with_name("configuration.md")

INTRO = """# Configuration

Every setting of the jupyter-mlops server extension is a trait of `MlopsExtension`. Set it
in `jupyter_server_config.py`:

```python
c.MlopsExtension.store_uri = "postgresql+psycopg://mlops@db.internal/mlops"
c.MlopsExtension.artifact_root = "/shared/mlops-artifacts"
c.MlopsExtension.admin_users = {"alice", "bob"}
```

or on the command line: `jupyter lab --MlopsExtension.max_workers=16`.

This page is generated from the traits' help texts by `docs/make_config_reference.py`.

| Trait | Type | Default | Description |
|---|---|---|---|
"""


def _default(trait: object) -> str:
    from jupyter_mlops.server.extension import MlopsExtension

    name = trait.name  # type: ignore[attr-defined]
    if f"_default_{name}" in vars(MlopsExtension):
        return "computed (see description)"
    return f"`{trait.default_value_repr()}`"  # type: ignore[attr-defined]


def render() -> str:
    from jupyter_mlops.server.extension import MlopsExtension

    rows = []
    for name, trait in sorted(MlopsExtension.class_own_traits(config=True).items()):
        help_text = " ".join(inspect.cleandoc(trait.help).split()).replace("|", "\\|")
        rows.append(
            f"| `MlopsExtension.{name}` | {type(trait).__name__} | {_default(trait)} "
            f"| {help_text} |"
        )
    return INTRO + "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
