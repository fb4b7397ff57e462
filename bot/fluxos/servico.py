"""Guided conversations whose state lives in PostgreSQL, so a restart or another replica
continues exactly where the user was (PTB's ConversationHandler keeps state per process).

A flow is (nome, passo, dados) per chat and user. Flows untouched for `EXPIRA` are ignored,
so a user who wandered off is not surprised by a question from last week.

One flow is live at a time, but a half-filled form (a `RASCUNHOS` flow) is not lost to a
detour: starting another flow keeps the draft inside the new one (`dados["_retomar"]`), and
ending that one, however it ends, brings the draft back where it was.
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
# A one-question prompt (a comment, a new title…) goes stale much sooner than a form: text typed
# half an hour later is a new thought, not the answer.
EXPIRA_PERGUNTA = timedelta(minutes=30)
# The guided forms (handlers.novo, handlers.contatos) whose drafts survive a detour.
RASCUNHOS = frozenset({"novo", "contato"})
RASCUNHO_GUARDADO = "_retomar"


@dataclass(frozen=True)
class Fluxo:
    """Where the user is in a guided conversation."""

    nome: str
    passo: str
    dados: dict[str, Any] = field(default_factory=dict)


ChatUsuario = tuple[int, int]
"""(chat id, telegram id): which user's form in which chat."""


async def consumir(session: AsyncSession, formulario: ChatUsuario | None) -> None:
    """End a finished form inside the transaction that acts on it, so it acts only once.

    A doubled last answer (a double tap, a redelivered update, two replicas) finds the form
    already gone, and the second transaction is refused instead of repeating the work.
    """
    if formulario is None:
        return
    chat_id, telegram_id = formulario
    dados = await repo.apagar(session, chat_id=chat_id, telegram_id=telegram_id)
    if dados is None:
        raise StaleState(texts.FORMULARIO_JA_ENVIADO)
    await _devolver_rascunho(session, chat_id, telegram_id, dados)


async def _devolver_rascunho(
    session: AsyncSession, chat_id: int, telegram_id: int, dados: dict[str, Any]
) -> Fluxo | None:
    """Bring back the draft an ended flow was keeping, if any."""
    guardado = dados.get(RASCUNHO_GUARDADO)
    if not isinstance(guardado, dict):
        return None
    rascunho = Fluxo(guardado["nome"], guardado["passo"], dict(guardado["dados"]))
    await _gravar(session, chat_id, telegram_id, rascunho)
    return rascunho


async def _gravar(session: AsyncSession, chat_id: int, telegram_id: int, fluxo: Fluxo) -> None:
    await repo.salvar(
        session,
        chat_id=chat_id,
        telegram_id=telegram_id,
        nome=fluxo.nome,
        passo=fluxo.passo,
        dados=fluxo.dados,
    )


@dataclass(frozen=True)
class Encerramento:
    """How a flow ended: whether there was one, and the draft that came back, if any."""

    havia: bool
    retomado: Fluxo | None = None


class FluxoService:
    """Load, save and clear guided-conversation state."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def atual(self, *, chat_id: int, telegram_id: int) -> Fluxo | None:
        """The user's live flow in this chat, if any."""
        async with self._sessions() as session:
            row = await repo.atual(
                session, chat_id=chat_id, telegram_id=telegram_id, desde=_desde()
            )
        if row is None:
            return None
        if row.nome not in RASCUNHOS and row.atualizado_em < datetime.now(UTC) - EXPIRA_PERGUNTA:
            return None
        return Fluxo(row.nome, row.passo, dict(row.dados))

    async def largar_pergunta(self, *, chat_id: int, telegram_id: int) -> None:
        """Drop a one-question prompt the user moved on from (a form's draft stays).

        A draft the prompt was keeping comes back; its question is asked again when the
        person next writes to it, or by `/cancelar`. Bookkeeping before the command's own change,
        so it does not count as the update's change (`efeito=False`).
        """
        async with self._sessions.begin(efeito=False) as session:
            dados = await repo.apagar(
                session, chat_id=chat_id, telegram_id=telegram_id, exceto=RASCUNHOS
            )
            if dados is not None:
                await _devolver_rascunho(session, chat_id, telegram_id, dados)

    async def salvar(self, *, chat_id: int, telegram_id: int, fluxo: Fluxo) -> None:
        """Start or advance a flow; a different flow started over a draft keeps the draft."""
        async with self._sessions.begin() as session:
            dados = fluxo.dados
            atual = await repo.atual(
                session, chat_id=chat_id, telegram_id=telegram_id, desde=_desde()
            )
            if atual is not None and atual.nome != fluxo.nome and atual.nome in RASCUNHOS:
                guardado = {"nome": atual.nome, "passo": atual.passo, "dados": atual.dados}
                dados = {**dados, RASCUNHO_GUARDADO: guardado}
            await _gravar(session, chat_id, telegram_id, Fluxo(fluxo.nome, fluxo.passo, dados))

    async def encerrar(self, *, chat_id: int, telegram_id: int) -> Encerramento:
        """End the live flow, bringing back the draft it kept, if any."""
        async with self._sessions.begin() as session:
            dados = await repo.apagar(session, chat_id=chat_id, telegram_id=telegram_id)
            if dados is None:
                return Encerramento(havia=False)
            retomado = await _devolver_rascunho(session, chat_id, telegram_id, dados)
        return Encerramento(havia=True, retomado=retomado)


def _desde() -> datetime:
    """Flows touched before this are stale."""
    return datetime.now(UTC) - EXPIRA
