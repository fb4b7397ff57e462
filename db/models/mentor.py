"""The mentor's memory, usage and proposed actions: `mensagens`, `mentor_uso`, `mentor_acoes`.

A conversation is a chat: a private chat (one person) or a group (everyone in it), so a group's
memory never mixes with a member's private one. `mensagens` keeps the turns and the summaries
of older turns (`papel = 'resumo'`, covering every turn up to `resume_ate`).

A question is stored when it is queued, as `pendente`; the process holding it (waiting or
being answered) renews `vivo_em`, so one whose process died (kill -9) is found by the silence
and offered 🔁; `marcador_id` is the group placeholder its answer streams into, finished with
a note then.
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
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, one_of

PAPEIS_MENSAGEM = ("usuario", "mentor", "resumo")
# pendente: a question not answered yet; falhou: the model failed (the question waits for a
# retry); parcial: an answer stopped or cut short; ok: a complete turn.
ESTADOS_MENSAGEM = ("pendente", "ok", "parcial", "falhou")
ESTADOS_ACAO = ("proposta", "feita", "recusada")


class Mensagem(Base):
    """One turn of a mentor conversation, or a summary of older turns."""

    __tablename__ = "mensagens"
    __table_args__ = (
        CheckConstraint(one_of("papel", PAPEIS_MENSAGEM), name="papel"),
        CheckConstraint(one_of("estado", ESTADOS_MENSAGEM), name="estado"),
        Index(None, "chat_id", "id"),
        Index(None, "usuario_id", "criado_em"),
        # The latest summary of a chat, found without walking its turns.
        Index("ix_mensagens_resumos", "chat_id", "id", postgresql_where=text("papel = 'resumo'")),
        # The questions waiting or being answered: few, swept for the silent ones.
        Index("ix_mensagens_pendentes", "id", postgresql_where=text("estado = 'pendente'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    papel: Mapped[str] = mapped_column(String(16))
    texto: Mapped[str] = mapped_column(Text)
    estado: Mapped[str] = mapped_column(String(16), server_default="ok")
    # The processo the question was asked about (its card's "Perguntar ao professor").
    processo_id: Mapped[int | None] = mapped_column(ForeignKey("processos.id", ondelete="SET NULL"))
    resume_ate: Mapped[int | None] = mapped_column(BigInteger)
    # A pending question's heartbeat, renewed by the process that holds it.
    vivo_em: Mapped[datetime | None]
    # The group placeholder (a Telegram message id) the answer streams into.
    marcador_id: Mapped[int | None] = mapped_column(BigInteger)
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())


class MentorUso(Base):
    """Tokens one model call spent, as the model's `usage` fields reported them, or the
    seconds of audio one transcription heard (`segundos_de_audio`, tokens zero)."""

    __tablename__ = "mentor_uso"
    __table_args__ = (Index(None, "usuario_id", "criado_em"), Index(None, "criado_em"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    usuario_id: Mapped[int] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    modelo: Mapped[str] = mapped_column(String(128))
    tokens_entrada: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    tokens_saida: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    segundos_de_audio: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())


class MentorAcao(Base):
    """A write the mentor proposed; it happens only when its user presses the button."""

    __tablename__ = "mentor_acoes"
    __table_args__ = (
        CheckConstraint(one_of("estado", ESTADOS_ACAO), name="estado"),
        Index(None, "usuario_id", "criado_em"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    usuario_id: Mapped[int] = mapped_column(ForeignKey("usuarios.id", ondelete="CASCADE"))
    tipo: Mapped[str] = mapped_column(String(32))
    dados: Mapped[dict[str, Any]] = mapped_column(JSONB)
    estado: Mapped[str] = mapped_column(String(16), server_default="proposta")
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())
