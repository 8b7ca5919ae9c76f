"""SQLAlchemy ORM models of the notebook-server store (migration 0003).

Rows never leave the store. ``spec`` and ``runtime`` are JSON documents in text columns
(portable, and never queried into). The computed object names have their own columns:
they are fixed at creation so that a later change of the naming scheme never orphans a
volume.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jupyter_mlops.database.base import Base, BigId


class SqlNotebookServer(Base):
    __tablename__ = "notebook_servers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    backend: Mapped[str] = mapped_column(String(32), nullable=False)
    spec: Mapped[str] = mapped_column(Text, nullable=False)
    namespace: Mapped[str] = mapped_column(String(63), nullable=False)
    workload_name: Mapped[str] = mapped_column(String(63), nullable=False)
    pvc_name: Mapped[str] = mapped_column(String(253), nullable=False)
    secret_name: Mapped[str] = mapped_column(String(253), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(64), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    runtime: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[int] = mapped_column(BigInteger, nullable=False)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    stopped_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_activity: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        UniqueConstraint("owner", "name", name="uq_notebook_servers_owner_name"),
        # The monitor and the culler pick servers by status.
        Index("ix_notebook_servers_status", "status"),
    )


class SqlNotebookServerEvent(Base):
    __tablename__ = "notebook_server_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    server_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("notebook_servers.id", ondelete="CASCADE"), nullable=False
    )
    timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(64), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    #: Identifies an event a backend reported (a Kubernetes Event's uid and count), so that
    #: reporting it again adds nothing. NULL for our own events.
    source_key: Mapped[str | None] = mapped_column(String(256), nullable=True)

    __table_args__ = (
        UniqueConstraint("server_id", "source_key", name="uq_notebook_server_events_source"),
        # events?since=N of one server.
        Index("ix_notebook_server_events_server", "server_id", "id"),
    )
