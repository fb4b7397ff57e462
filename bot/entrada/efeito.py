"""Exactly-once changes: the update being handled, and the transaction that vouches for it.

    Entrega               the update this task is handling (a context variable set by
                          `bot.ordering` around each handler run)
    efeito_unico(s, ref)  called by a service inside its write transaction: marks the inbox row
                          `efetivado` in that same transaction, or raises `JaFeito` when an
                          earlier attempt (before a crash) already committed this change
    SessoesComEntrada     the services' session factory: when a COMMIT dies with the
                          connection, it asks the inbox whether the change was made and raises
                          the truthful outcome (`GravadoSemConfirmacao`, `ResultadoIncerto`)

No Telegram here: services call `efeito_unico`, the composition root installs the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.database import is_outage
from bot.errors import CogepError
from db.engine import Sessions
from db.repositories import entrada as repo

log = logging.getLogger("cogep.entrada")
CONFIRMACAO_TENTATIVAS = (0.2, 0.5, 1.0, 2.0)  # pauses while asking the inbox what happened


class JaFeito(CogepError):
    """A replayed update whose change an earlier attempt had already committed."""


class GravadoSemConfirmacao(CogepError):
    """The COMMIT's answer was lost, but the inbox proves the change was committed."""


class ResultadoIncerto(CogepError):
    """The COMMIT's answer was lost and nobody can tell yet whether it happened."""


@dataclass
class Entrega:
    """One attempt at handling one update."""

    update_id: int
    efetivada: bool = False  # this attempt's change was marked in a transaction


_ENTREGA: ContextVar[Entrega | None] = ContextVar("cogep_entrega", default=None)


@contextmanager
def entregando(update_id: int) -> Iterator[Entrega]:
    """Mark the current task as handling `update_id`."""
    entrega = Entrega(update_id)
    token = _ENTREGA.set(entrega)
    try:
        yield entrega
    finally:
        _ENTREGA.reset(token)


async def efeito_unico(session: AsyncSession, *, referencia: str | None = None) -> None:
    """Record, in `session`'s transaction, that the current update makes its change here.

    `referencia` names the result for a later truthful reply ("processo 2026-0042"). Outside
    an update (the console's own calls, scheduled jobs, tests of services) it does nothing.
    """
    entrega = _ENTREGA.get()
    if entrega is None or entrega.efetivada:
        return
    if not await repo.efetivar(session, update_id=entrega.update_id, referencia=referencia):
        feito = await repo.situacao(await session.connection(), update_id=entrega.update_id)
        raise JaFeito(texts.ja_feito(feito[1]))
    entrega.efetivada = True


class SessoesComEntrada(Sessions):
    """`Sessions` whose transactions resolve an ambiguous COMMIT through the inbox."""

    def begin(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction; a COMMIT lost with its connection ends in the truthful outcome."""
        return self._begin()

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[AsyncSession]:
        entrega = _ENTREGA.get()
        antes = entrega.efetivada if entrega else False
        corpo_terminou = False
        try:
            async with super().begin() as session:
                yield session
                corpo_terminou = True
        except Exception as exc:
            marcou = entrega is not None and entrega.efetivada and not antes
            if entrega is not None:
                entrega.efetivada = antes
            if not (corpo_terminou and entrega is not None and is_outage(exc)):
                raise
            log.warning("update %s: COMMIT lost with its connection: %s", entrega.update_id, exc)
            if not marcou:
                raise ResultadoIncerto(texts.NAO_CONFIRMADO) from exc
            await self._desfecho(entrega, exc)

    async def _desfecho(self, entrega: Entrega, erro: Exception) -> None:
        """Ask the inbox, on a fresh connection, whether the lost COMMIT happened; raise it."""
        for pausa in CONFIRMACAO_TENTATIVAS:
            await asyncio.sleep(pausa)
            try:
                async with self.connect() as conn:
                    feito, referencia = await repo.situacao(conn, update_id=entrega.update_id)
            except Exception as exc:  # still down: ask again, then admit we do not know
                if not is_outage(exc):
                    raise
                continue
            if feito:
                entrega.efetivada = True
                raise GravadoSemConfirmacao(texts.gravado_sem_confirmacao(referencia)) from erro
            raise erro  # it did not happen: "nada foi alterado" is the truth
        raise ResultadoIncerto(texts.NAO_CONFIRMADO) from erro
