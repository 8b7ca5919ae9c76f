"""The API-token store on the shared :class:`~jupyter_mlops.database.engine.Database`.

Revoking deletes the row: a revoked token must stop working at once, and nothing else
refers to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ..database.engine import Database
from ..errors import InvalidParameter
from ..tracking.entities import Page
from .entities import ApiToken
from .models import SqlApiToken

MAX_RESULTS = 1000


def _to_entity(row: Any) -> ApiToken:
    return ApiToken(
        id=str(row.id),
        owner=row.owner,
        note=row.note,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used=row.last_used,
        expires_at=row.expires_at,
        notebook_server=row.notebook_server,
    )


def parse_token_id(token_id: str) -> int:
    """A token id from a URL, or InvalidParameter naming ``token_id``."""
    try:
        value = int(token_id)
    except ValueError:
        value = -1
    if value < 1 or len(token_id) > 19:
        raise InvalidParameter(
            f"token_id must be a positive integer, got {token_id!r}", field="token_id"
        )
    return value


class SqlTokenStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create(
        self,
        *,
        owner: str,
        token_hash: str,
        prefix: str,
        note: str,
        created_at: int,
        expires_at: int | None,
        notebook_server: str | None = None,
    ) -> ApiToken:
        statement = insert(SqlApiToken).values(
            owner=owner,
            token_hash=token_hash,
            prefix=prefix,
            note=note,
            created_at=created_at,
            expires_at=expires_at,
            notebook_server=notebook_server,
        )
        with self.database.write() as conn:
            new_id = conn.execute(statement).inserted_primary_key
        assert new_id is not None
        return ApiToken(
            id=str(new_id[0]),
            owner=owner,
            note=note,
            prefix=prefix,
            created_at=created_at,
            last_used=None,
            expires_at=expires_at,
            notebook_server=notebook_server,
        )

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(SqlApiToken).where(SqlApiToken.token_hash == token_hash)
            ).first()
        return _to_entity(row) if row else None

    def get(self, token_id: int) -> ApiToken | None:
        with self.database.read() as conn:
            row = conn.execute(select(SqlApiToken).where(SqlApiToken.id == token_id)).first()
        return _to_entity(row) if row else None

    def touch(self, token_id: int, now_ms: int) -> None:
        with self.database.write() as conn:
            conn.execute(
                update(SqlApiToken).where(SqlApiToken.id == token_id).values(last_used=now_ms)
            )

    def search(
        self, owner: str | None = None, max_results: int = 100, page_token: str | None = None
    ) -> Page[ApiToken]:
        """Newest first; ``page_token`` is the id below which the next page starts."""
        if not 1 <= max_results <= MAX_RESULTS:
            raise InvalidParameter(
                f"max_results must be between 1 and {MAX_RESULTS}", field="max_results"
            )
        query = select(SqlApiToken).order_by(SqlApiToken.id.desc())
        if page_token:
            try:
                below = int(page_token)
            except ValueError:
                raise InvalidParameter("page_token is not valid", field="page_token") from None
            query = query.where(SqlApiToken.id < below)
        if owner is not None:
            query = query.where(SqlApiToken.owner == owner)
        with self.database.read() as conn:
            rows = conn.execute(query.limit(max_results + 1)).all()
        items = [_to_entity(r) for r in rows[:max_results]]
        token = items[-1].id if len(rows) > max_results else None
        return Page(items, token)

    def delete(self, token_id: int) -> bool:
        with self.database.write() as conn:
            result = conn.execute(delete(SqlApiToken).where(SqlApiToken.id == token_id))
        return bool(result.rowcount)

    def delete_for_server(self, notebook_server: str) -> int:
        with self.database.write() as conn:
            result = conn.execute(
                delete(SqlApiToken).where(SqlApiToken.notebook_server == notebook_server)
            )
        return int(result.rowcount or 0)
