"""Group chats the bot is in: `grupos`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamps


class Grupo(Timestamps, Base):
    """A group chat the bot was added to; it is served only once a gestor or admin authorised it."""

    __tablename__ = "grupos"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    titulo: Mapped[str] = mapped_column(String(255))
    autorizado: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    autorizado_por: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("usuarios.id", ondelete="SET NULL")
    )
