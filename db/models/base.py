"""The one `Base` every model shares: naming convention, timestamptz, shared column helpers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Computed,
    DateTime,
    MetaData,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that `column` is one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def search_vector(expression: str) -> Computed:
    """A stored tsvector over accent-free text, in the `portuguese` configuration."""
    return Computed(
        f"to_tsvector('portuguese'::regconfig, cogep_indexavel({expression}))", persisted=True
    )


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012


class Timestamps:
    """`criado_em` and `atualizado_em`, both set by the database."""

    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())
    atualizado_em: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
