"""The knowledge base: `documentos` and their chunks, `trechos`.

A document's bytes are not kept: its `referencia` (a Telegram file_id, a URL or a path) is
enough to fetch them again when an ingestion is resumed after a restart. `sha256` is known only
once the bytes are in, so it is nullable; it is unique per visibility scope (team-wide, or per
sender for private documents). `tentativas` is a fencing token: each claim of the document
increments it, and a worker writes its result only while the count is still its own.

`trechos.busca` is generated from `cogep_lexico(...)` (migration 0006): accents and case folded,
hyphenated words also joined (like every other search vector), plus light pt-BR plural/suffix
normalisation, so the `portuguese` stemmer sees `avaliacoes` and `avaliação` alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Timestamps, one_of
from db.models.usuarios import Usuario

STATUS_DOCUMENTO = ("pendente", "processando", "pronto", "falhou")
ORIGENS = ("telegram", "url", "arquivo")
TITULO_DOCUMENTO_MAX = 300
EM_ANDAMENTO = ("pendente", "processando")

VETOR_TRECHO = (
    "to_tsvector('portuguese'::regconfig, cogep_lexico(coalesce(secao, '') || ' ' || texto))"
)


class Documento(Timestamps, Base):
    """One ingested (or being ingested) document."""

    __tablename__ = "documentos"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUS_DOCUMENTO), name="status"),
        CheckConstraint(one_of("origem", ORIGENS), name="origem"),
        Index(
            "uq_documentos_sha256_equipe",
            "sha256",
            unique=True,
            postgresql_where=text("NOT privado"),
        ),
        Index(
            "uq_documentos_sha256_privado",
            "sha256",
            "enviado_por_id",
            unique=True,
            postgresql_where=text("privado"),
        ),
        Index(None, "criado_em"),
        Index(None, "enviado_por_id", "status"),
        Index(
            "ix_documentos_em_andamento",
            "id",
            postgresql_where=text("status IN ('pendente', 'processando')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    titulo: Mapped[str] = mapped_column(String(TITULO_DOCUMENTO_MAX))
    origem: Mapped[str] = mapped_column(String(16))
    referencia: Mapped[str] = mapped_column(Text)  # file_id, URL or absolute path
    nome_arquivo: Mapped[str | None] = mapped_column(String(255))
    mime: Mapped[str | None] = mapped_column(String(128))
    tamanho: Mapped[int | None] = mapped_column(BigInteger)  # bytes
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), server_default="pendente")
    erro: Mapped[str | None] = mapped_column(Text)  # the pt-BR reason, as the sender read it
    privado: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    enviado_por_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id"))
    paginas: Mapped[int | None] = mapped_column(Integer)
    caracteres: Mapped[int | None] = mapped_column(Integer)
    total_trechos: Mapped[int | None] = mapped_column(Integer)
    tentativas: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    tomado_em: Mapped[datetime | None]
    processado_em: Mapped[datetime | None]

    enviado_por: Mapped[Usuario | None] = relationship(lazy="raise")


class Trecho(Base):
    """A chunk of a document: a few paragraphs under one heading path, on one page."""

    __tablename__ = "trechos"
    __table_args__ = (
        Index(None, "busca", postgresql_using="gin"),
        Index(None, "documento_id", "posicao", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    documento_id: Mapped[int] = mapped_column(ForeignKey("documentos.id", ondelete="CASCADE"))
    posicao: Mapped[int] = mapped_column(Integer)
    secao: Mapped[str | None] = mapped_column(Text)  # "Rollback › Passo 2"
    pagina: Mapped[int | None] = mapped_column(Integer)
    texto: Mapped[str] = mapped_column(Text)
    busca: Mapped[Any] = mapped_column(TSVECTOR, Computed(VETOR_TRECHO, persisted=True))
