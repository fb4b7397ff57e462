"""What /metrics reads from the database at each scrape: the outbox's backlog and the
ingestion queue, in one statement that the partial indexes on pending rows answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Documento, Notificacao
from db.models.conhecimento import EM_ANDAMENTO

PENDENTES = ("pendente", "enviando")


@dataclass(frozen=True)
class Filas:
    """Notices due and unsent, when the oldest of them fell due, documents not yet done."""

    notificacoes: int
    mais_antiga: datetime | None
    documentos: int


async def filas(session: AsyncSession, *, agora: datetime) -> Filas:
    """The outbox's backlog at `agora` (a reminder set for tomorrow is not late) and the
    ingestion queue."""
    devida = Notificacao.devido_em <= agora
    pendente = Notificacao.status == "pendente"
    notificacoes = (
        select(
            func.count().filter(or_(devida, Notificacao.status == "enviando")),
            func.min(Notificacao.devido_em).filter(pendente, devida),
        )
        .where(Notificacao.status.in_(PENDENTES))
        .subquery()
    )
    documentos = select(func.count()).where(Documento.status.in_(EM_ANDAMENTO)).scalar_subquery()
    linha = (await session.execute(select(notificacoes, documentos))).one()
    return Filas(notificacoes=linha[0], mais_antiga=linha[1], documentos=linha[2])
