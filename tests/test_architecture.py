"""The domains' boundaries, read from the code: each domain owns its tables.

1. The import contracts of ``[tool.importlinter]`` in pyproject.toml hold (tracking knows
   no registry, pipelines or notebooks; the registry reaches tracking through its service;
   domains never import the HTTP server; step pods never import the pipeline server; the
   pipeline spec imports neither the DSL nor the server).
2. No domain's SQL names a table another domain owns, and no domain imports another's ORM
   models to query them. Who owns a table is read from the ORM models (the package of the
   class that declares its ``__tablename__``), so the check follows new tables by itself.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from importlinter.cli import lint_imports

import jupyter_mlops
from jupyter_mlops.database.base import Base
from jupyter_mlops.database.schema import metadata  # noqa: F401  (registers every model)

PACKAGE_DIR = Path(jupyter_mlops.__file__).parent
PYPROJECT = PACKAGE_DIR.parent / "pyproject.toml"
# SQL that reads or writes a table names it after one of these words.
_SQL_TABLE = r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+{}\b"


def _owner_of(module: str) -> str:
    """The domain package of an ORM module: ``a.b.store.models`` and ``a.b.models`` -> ``a.b``."""
    package = module.rpartition(".")[0]
    return package.removesuffix(".store")


def table_owners() -> dict[str, str]:
    """Table name -> the package of the domain whose ORM model declares it."""
    return {
        mapper.class_.__tablename__: _owner_of(mapper.class_.__module__)
        for mapper in Base.registry.mappers
    }


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(domain: str, domains: set[str]) -> Iterator[tuple[str, Path]]:
    """The modules of ``domain``, without those of a domain nested inside it."""
    folder = PACKAGE_DIR.parent.joinpath(*domain.split("."))
    nested = {d for d in domains if d != domain and d.startswith(domain + ".")}
    for path in sorted(folder.rglob("*.py")):
        name = _module_name(path)
        if not any(name == d or name.startswith(d + ".") for d in nested):
            yield name, path


def _imported_modules(name: str, path: Path, tree: ast.Module) -> Iterator[tuple[str, bool]]:
    """(module, whether names are taken from it) of each import in a module's code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            # ``import a.b.models``: registers the tables, takes no name to query with.
            yield from ((alias.name, False) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            yield base, True
            yield from ((f"{base}.{alias.name}", True) for alias in node.names)


def test_the_import_contracts_hold() -> None:
    assert lint_imports(config_filename=str(PYPROJECT)) == 0


def test_every_table_has_one_owning_domain() -> None:
    owners = table_owners()
    assert owners["runs"] == "jupyter_mlops.tracking"
    assert owners["logged_models"] == "jupyter_mlops.registry.logged_models"
    assert owners["model_versions"] == "jupyter_mlops.registry"


def test_no_domain_reads_another_domains_tables() -> None:
    owners = table_owners()
    domains = set(owners.values())
    orm_modules = {mapper.class_.__module__ for mapper in Base.registry.mappers}
    trespasses = []
    for domain in sorted(domains):
        foreign = [table for table, owner in owners.items() if owner != domain]
        pattern = re.compile("|".join(_SQL_TABLE.format(re.escape(t)) for t in foreign), re.I)
        for name, path in modules_of(domain, domains):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found = pattern.search(node.value)
                    if found:
                        trespasses.append(f"{name}:{node.lineno} SQL {found.group(0)!r}")
            for module, takes_names in _imported_modules(name, path, tree):
                if takes_names and module in orm_modules and _owner_of(module) != domain:
                    trespasses.append(f"{name} queries the ORM models of {module}")
    assert trespasses == []


def test_the_check_sees_a_trespass() -> None:
    """The SQL pattern finds a join on another domain's table (the check is not vacuous)."""
    pattern = re.compile(_SQL_TABLE.format("logged_models"), re.I)
    assert pattern.search("SELECT 1 FROM run_model_inputs m JOIN logged_models lm ON 1")
    assert not pattern.search('ForeignKey("logged_models.model_id")')
