"""State several replicas share, that each process used to keep for itself.

    VezDoMentor       mentor_fila       one row per mentor answer running or waiting, so one
                                        person's questions are answered in order whichever
                                        replica received them; its id is the answer's number
                                        (the draft id and the ⏹ button's), and `parar` carries a
                                        stop pressed on any replica to the one answering
    RecursoDoServidor bot_api_recursos  a Bot API method the server refused as unknown (rich
                                        messages, drafts), learnt once for every replica

A row of `mentor_fila` belongs to the process that received the question (`vivo_em` is its
heartbeat); one silent past a minute lost its process and no longer holds anyone up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class VezDoMentor(Base):
    """One mentor answer waiting for its turn, or being written."""

    __tablename__ = "mentor_fila"
    __table_args__ = (Index(None, "chat_id", "telegram_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    pergunta_id: Mapped[int | None] = mapped_column(BigInteger)
    parar: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    vivo_em: Mapped[datetime] = mapped_column(server_default=func.now())
    criado_em: Mapped[datetime] = mapped_column(server_default=func.now())


class RecursoDoServidor(Base):
    """A Bot API method the configured server does not know (so nobody asks it again)."""

    __tablename__ = "bot_api_recursos"

    nome: Mapped[str] = mapped_column(String(64), primary_key=True)
    recusado_em: Mapped[datetime] = mapped_column(server_default=func.now())
