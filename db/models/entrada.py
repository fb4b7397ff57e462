"""The inbox of Telegram updates (`updates_recebidos`). (A reply held back by a flood limit
waits in the outbox, `notificacoes`, like every other send-later.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

REFERENCIA_MAX = 200


class UpdateRecebido(Base):
    """One update, stored before Telegram hears it was received; `update_id` makes it once.

    `efetivado_em` is set in the very transaction that made the update's change (so after an
    ambiguous COMMIT this row tells whether it happened), `concluido_em` once it was handled.
    """

    __tablename__ = "updates_recebidos"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dados: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recebido_em: Mapped[datetime] = mapped_column(server_default=func.now())
    efetivado_em: Mapped[datetime | None]
    referencia: Mapped[str | None] = mapped_column(String(REFERENCIA_MAX))
    concluido_em: Mapped[datetime | None]
    tentativas: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    # The process that admitted it, or took it over to replay it (`bot.entrada.presenca`).
    dono: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index(None, "recebido_em"),
        Index(
            "ix_updates_recebidos_pendentes",
            "update_id",
            postgresql_where=text("concluido_em IS NULL"),
        ),
    )
