"""Guided conversations whose state lives in PostgreSQL, so a restart or another replica
continues exactly where the user was (PTB's ConversationHandler keeps state per process).

A flow is (nome, passo, dados) per chat and user. Flows untouched for `EXPIRA` are ignored,
so a user who wandered off is not surprised by a question from last week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.errors import StaleState
from db.engine import Sessions
from db.repositories import fluxos as repo

EXPIRA = timedelta(hours=24)


@dataclass(frozen=True)
class Fluxo:
    """Where the user is in a guided conversation."""

    nome: str
    passo: str
    dados: dict[str, Any] = field(default_factory=dict)


Formulario = tuple[int, int]
"""(chat id, telegram id): which user's form in which chat."""


async def consumir(session: AsyncSession, formulario: Formulario | None) -> None:
    """End a finished form inside the transaction that acts on it, so it acts only once.

    A doubled last answer (a double tap, a redelivered update, two replicas) finds the form
    already gone, and the second transaction is refused instead of repeating the work.
    """
    if formulario is None:
        return
    chat_id, telegram_id = formulario
    if not await repo.apagar(session, chat_id=chat_id, telegram_id=telegram_id):
        raise StaleState(texts.FORMULARIO_JA_ENVIADO)


class FluxoService:
    """Load, save and clear guided-conversation state."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def atual(self, *, chat_id: int, telegram_id: int) -> Fluxo | None:
        """The user's live flow in this chat, if any."""
        async with self._sessions() as session:
            row = await repo.atual(
                session,
                chat_id=chat_id,
                telegram_id=telegram_id,
                desde=datetime.now(UTC) - EXPIRA,
            )
        return None if row is None else Fluxo(row.nome, row.passo, dict(row.dados))

    async def salvar(self, *, chat_id: int, telegram_id: int, fluxo: Fluxo) -> None:
        """Start or advance a flow."""
        async with self._sessions() as session:  # one upsert
            await repo.salvar(
                session,
                chat_id=chat_id,
                telegram_id=telegram_id,
                nome=fluxo.nome,
                passo=fluxo.passo,
                dados=fluxo.dados,
            )

    async def encerrar(self, *, chat_id: int, telegram_id: int) -> bool:
        """End the flow; True when there was one."""
        async with self._sessions() as session:  # one DELETE
            return await repo.apagar(session, chat_id=chat_id, telegram_id=telegram_id)
