"""SQLAlchemy ORM models of the model registry (logged models own theirs: ``logged_models``).

``Sql*`` rows never leave the store. Registered models have a surrogate integer id, so
a rename touches one row; versions, tags and aliases hang off it with ON DELETE CASCADE
(deleting a model deletes its versions; deleting a version deletes its aliases).
The schema is created by migration ``0002_model_registry``; a test compares the two.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

# Imported for its side effect as well: the schema module lists the registry's models
# through this one, and the logged models are registered models' sub-domain.
import jupyter_mlops.registry.logged_models.models  # noqa: F401
from jupyter_mlops.database.base import Base, BigId

KEY_LENGTH = 250
NAME_LENGTH = 256
LOCATION_LENGTH = 1024


class SqlRegisteredModel(Base):
    __tablename__ = "registered_models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    creation_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_updated_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # The last version number handed out: versions are never renumbered or reused, and
    # bumping this row serialises concurrent registrations of one model.
    last_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        Index("ix_registered_models_created", "creation_timestamp", "id"),
        Index("ix_registered_models_updated", "last_updated_timestamp", "id"),
    )


class SqlRegisteredModelTag(Base):
    __tablename__ = "registered_model_tags"

    model_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("registered_models.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class SqlModelVersion(Base):
    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("registered_models.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    creation_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_updated_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    user_id: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    current_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str] = mapped_column(String(LOCATION_LENGTH), nullable=False)
    storage_location: Mapped[str] = mapped_column(String(LOCATION_LENGTH), nullable=False)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    run_link: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    status_message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    logged_model_id: Mapped[str | None] = mapped_column(String(34), nullable=True)

    __table_args__ = (
        UniqueConstraint("model_id", "version", name="uq_model_versions_model_id_version"),
        Index("ix_model_versions_run_id", "run_id"),
        Index("ix_model_versions_updated", "last_updated_timestamp", "id"),
    )


class SqlModelVersionTag(Base):
    __tablename__ = "model_version_tags"

    version_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class SqlRegisteredModelAlias(Base):
    __tablename__ = "registered_model_aliases"

    model_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("registered_models.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(256), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("model_versions.id", ondelete="CASCADE"), nullable=False
    )

    __table_args__ = (Index("ix_registered_model_aliases_version_id", "version_id"),)


registered_models = cast(Table, SqlRegisteredModel.__table__)
registered_model_tags = cast(Table, SqlRegisteredModelTag.__table__)
model_versions = cast(Table, SqlModelVersion.__table__)
model_version_tags = cast(Table, SqlModelVersionTag.__table__)
registered_model_aliases = cast(Table, SqlRegisteredModelAlias.__table__)
