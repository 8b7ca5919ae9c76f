"""SQLAlchemy ORM model of the API-token store (migration 0006). Rows never leave the
store; the secret itself is never stored, only its SHA-256."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jupyter_mlops.database.base import Base, BigId


class SqlApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    notebook_server: Mapped[str | None] = mapped_column(String(330), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_used: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        # Listing one user's tokens; revoking the tokens of a notebook server.
        Index("ix_api_tokens_owner", "owner", "id"),
        Index("ix_api_tokens_notebook_server", "notebook_server"),
    )
