"""The CRM: `contatos`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamps, search_vector


class Contato(Timestamps, Base):
    """A client contact (CRM)."""

    __tablename__ = "contatos"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    nome: Mapped[str] = mapped_column(String(128))
    empresa: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    telefone: Mapped[str | None] = mapped_column(String(32))
    notas: Mapped[str | None] = mapped_column(Text)
    criado_por_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id"))
    # Archived: kept (with its processos' links) but out of /contatos, searches and /novo.
    arquivado_em: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    busca: Mapped[Any] = mapped_column(
        TSVECTOR,
        search_vector("nome || ' ' || coalesce(empresa, '') || ' ' || coalesce(email, '')"),
    )

    __table_args__ = (
        Index(None, "busca", postgresql_using="gin"),
        # One contact per address, whatever its case: the service says which contact has it.
        Index("uq_contatos_email_lower", func.lower(email), unique=True),
    )
