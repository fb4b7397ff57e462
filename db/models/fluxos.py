"""Guided conversations that survive restarts: `fluxos`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Fluxo(Base):
    """Where a user is in a guided conversation (e.g. /novo), keyed by chat and user."""

    __tablename__ = "fluxos"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nome: Mapped[str] = mapped_column(String(32))
    passo: Mapped[str] = mapped_column(String(32))
    dados: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    atualizado_em: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
