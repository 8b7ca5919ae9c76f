"""Creating a row whose ``name`` is unique (an experiment, a registered model), with the
same answer whether the name was taken before or by a concurrent create."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import AlreadyExists


@contextmanager
def name_taken_as(message: str) -> Iterator[None]:
    """AlreadyExists(message) for a unique-name violation inside the block (a concurrent
    create that took the name first; the write unit is rolled back)."""
    try:
        yield
    except IntegrityError as exc:
        raise AlreadyExists(message) from exc


def insert_named(
    conn: Connection, table: Table, name: str, values: Mapping[str, Any], taken: str
) -> int:
    """Insert a row named ``name`` and return its integer key; AlreadyExists(``taken``)
    when a row has that name already."""
    key = table.primary_key.columns.values()[0]
    if conn.execute(select(key).where(table.c.name == name)).first():
        raise AlreadyExists(taken)
    result = conn.execute(insert(table).values(name=name, **values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]
