"""Work items and their history: `processos`, `processo_eventos`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Timestamps, one_of, search_vector
from db.models.contatos import Contato
from db.models.usuarios import Usuario

ABERTOS: Final = ("aberto", "em_andamento", "aguardando")  # the open statuses
# Whose deadline clock runs: `aguardando` (the client owes an answer) pauses it, and leaving it
# moves the prazo on by the time spent waiting (bot.processos.servico.mudar_status).
PRAZO_CORRE: Final = ("aberto", "em_andamento")
STATUS: Final = (*ABERTOS, "concluido", "cancelado")
PRIORIDADES: Final = ("baixa", "normal", "alta", "urgente")
TIPOS_EVENTO = (
    "criado", "status", "comentario", "responsavel", "prazo", "contato", "prioridade",
    "titulo", "descricao",
)  # fmt: skip
TITULO_MAX = 200


class Processo(Timestamps, Base):
    """A work item: a request, a case, an automation job."""

    __tablename__ = "processos"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUS), name="status"),
        CheckConstraint(one_of("prioridade", PRIORIDADES), name="prioridade"),
        CheckConstraint(f"char_length(titulo) BETWEEN 1 AND {TITULO_MAX}", name="titulo"),
        Index(None, "busca", postgresql_using="gin"),
        Index(None, "solicitante_id", "criado_em"),
        Index(None, "responsavel_id", "criado_em"),
        Index(None, "criado_em"),
        Index(
            None,
            "prazo",
            postgresql_where=text(f"status IN ({', '.join(repr(s) for s in ABERTOS)})"),
        ),
        Index(None, "contato_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    sequencia: Mapped[int] = mapped_column(BigInteger, unique=True)
    numero: Mapped[str] = mapped_column(String(16), unique=True)
    titulo: Mapped[str] = mapped_column(String(TITULO_MAX))
    descricao: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="aberto")
    prioridade: Mapped[str] = mapped_column(String(16), server_default="normal")
    solicitante_id: Mapped[int] = mapped_column(ForeignKey("usuarios.id"))
    responsavel_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id"))
    contato_id: Mapped[int | None] = mapped_column(ForeignKey("contatos.id"))
    prazo: Mapped[datetime | None]
    concluido_em: Mapped[datetime | None]
    busca: Mapped[Any] = mapped_column(
        TSVECTOR, search_vector("numero || ' ' || titulo || ' ' || coalesce(descricao, '')")
    )

    solicitante: Mapped[Usuario] = relationship(foreign_keys=[solicitante_id], lazy="raise")
    responsavel: Mapped[Usuario | None] = relationship(foreign_keys=[responsavel_id], lazy="raise")
    contato: Mapped[Contato | None] = relationship(lazy="raise")


class ProcessoEvento(Base):
    """One entry of a processo's history; rows are only ever inserted."""

    __tablename__ = "processo_eventos"
    __table_args__ = (
        CheckConstraint(one_of("tipo", TIPOS_EVENTO), name="tipo"),
        Index(None, "processo_id", "id"),
        Index(None, "busca", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    processo_id: Mapped[int] = mapped_column(ForeignKey("processos.id"))
    autor_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id"))
    tipo: Mapped[str] = mapped_column(String(16))
    de: Mapped[str | None] = mapped_column(Text)
    para: Mapped[str | None] = mapped_column(Text)
    texto: Mapped[str | None] = mapped_column(Text)
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())
    busca: Mapped[Any] = mapped_column(TSVECTOR, search_vector("coalesce(texto, '')"))

    autor: Mapped[Usuario | None] = relationship(lazy="raise")
