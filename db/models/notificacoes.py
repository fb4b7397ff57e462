r"""Push notices: the `notificacoes` outbox, personal `lembretes` and admin `avisos`.

A notificação is a row before it is a message: it is written (with a unique `chave`, the dedupe
key: kind + target + period) in the transaction of the change that causes it, then claimed and
sent by any replica (bot.notificacoes.entrega). Its life:

    pendente --claim--> enviando --sent--> enviada
        ^                  |  \--blocked / cancelled--> descartada
        +--429, transient--+   \--permanent error, retries spent--> falhou

A claimed row's `devido_em` becomes its arrendamento (lease): a sender that dies mid-send
leaves a row that is claimable again once the arrendamento passes, so nothing is lost to a crash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Timestamps, one_of
from db.models.processos import Processo

TIPOS_NOTIFICACAO = (
    "resposta",  # a reply queued after Telegram refused it for too long (issue 12)
    "processo",  # assignment, status change, comment
    "acesso",  # access requests and decisions
    "lembrete",
    "prazo",
    "resumo",
    "parados",
    "saude",
    "aviso",  # an admin's announcement
    "outro",
)
STATUS_NOTIFICACAO = ("pendente", "enviando", "enviada", "falhou", "descartada")
FORMATOS = ("html", "entidades")
STATUS_LEMBRETE = ("ativo", "concluido", "cancelado")
STATUS_AVISO = ("rascunho", "enviando", "concluido", "cancelado")
LEMBRETE_MAX = 1000


class Notificacao(Base):
    """One push message, from the moment it is decided until it is sent (or given up)."""

    __tablename__ = "notificacoes"
    __table_args__ = (
        CheckConstraint(one_of("tipo", TIPOS_NOTIFICACAO), name="tipo"),
        CheckConstraint(one_of("status", STATUS_NOTIFICACAO), name="status"),
        CheckConstraint(one_of("formato", FORMATOS), name="formato"),
        # The claim: due rows by priority, then age; finished rows leave the index.
        Index(
            None,
            "prioridade",
            "devido_em",
            postgresql_where=text("status IN ('pendente', 'enviando')"),
        ),
        Index(None, "aviso_id", "status", postgresql_where=text("aviso_id IS NOT NULL")),
        # A chat's waiting rows in order: only the oldest is claimable (ordering per chat).
        Index(None, "chat_id", "id", postgresql_where=text("status IN ('pendente', 'enviando')")),
        Index(None, "criado_em"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chave: Mapped[str] = mapped_column(String(200), unique=True)
    tipo: Mapped[str] = mapped_column(String(16))
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    texto: Mapped[str] = mapped_column(Text)
    formato: Mapped[str] = mapped_column(String(12), server_default="html")
    entidades: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    teclado: Mapped[list[list[dict[str, str]]] | None] = mapped_column(JSONB)
    # 0 queued replies, 1 personal notices, 2 scheduled ones, 3 announcements (see entrega).
    prioridade: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    status: Mapped[str] = mapped_column(String(12), server_default="pendente")
    devido_em: Mapped[datetime] = mapped_column(server_default=func.now())
    tentativas: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    partes_enviadas: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    motivo: Mapped[str | None] = mapped_column(Text)
    aviso_id: Mapped[int | None] = mapped_column(ForeignKey("avisos.id", ondelete="CASCADE"))
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())
    enviada_em: Mapped[datetime | None] = mapped_column()


class Lembrete(Timestamps, Base):
    """A personal reminder: once, or recurring (`regra`, see bot.notificacoes.recorrencia)."""

    __tablename__ = "lembretes"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUS_LEMBRETE), name="status"),
        CheckConstraint(f"char_length(texto) BETWEEN 1 AND {LEMBRETE_MAX}", name="texto"),
        Index(None, "quando", postgresql_where=text("status = 'ativo'")),
        Index(None, "usuario_id", postgresql_where=text("status = 'ativo'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    usuario_id: Mapped[int] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    texto: Mapped[str] = mapped_column(Text)
    quando: Mapped[datetime] = mapped_column()  # the next time it fires
    regra: Mapped[str | None] = mapped_column(String(32))  # None: fires once
    processo_id: Mapped[int | None] = mapped_column(ForeignKey("processos.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), server_default="ativo")
    disparos: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    processo: Mapped[Processo | None] = relationship(lazy="raise")

    @property
    def numero(self) -> str | None:
        """The linked processo's number (the relationship must have been loaded)."""
        return self.processo.numero if self.processo_id is not None and self.processo else None


class Aviso(Timestamps, Base):
    """An admin's announcement: a draft, then its outbox rows, then the final counts."""

    __tablename__ = "avisos"
    __table_args__ = (CheckConstraint(one_of("status", STATUS_AVISO), name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    autor_id: Mapped[int] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    texto: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), server_default="rascunho")
    total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    chat_id: Mapped[int] = mapped_column(BigInteger)  # where the progress message lives
    mensagem_id: Mapped[int | None] = mapped_column(BigInteger)
    acompanhado_em: Mapped[datetime | None] = mapped_column()  # the progress reporter's heartbeat
