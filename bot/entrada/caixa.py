"""The inbox in PostgreSQL, seen from the bot: admit batches, mark updates done, replay, prune.

`CaixaDeEntrada` deals in raw update dicts (no Telegram types). Marks of "done" are written by
one background task that takes every id finished meanwhile in one UPDATE: under load dozens per
round trip, when idle one round trip right after the reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.entrada.presenca import Presenca
from db.engine import Sessions
from db.repositories import entrada as repo
from db.repositories.entrada import Pendente

log = logging.getLogger("cogep.entrada")
RETENCAO = timedelta(hours=48)  # Telegram keeps an unconfirmed update for 24 h
PODA_A_CADA = timedelta(hours=1)
# Marks of done wait this long for company: one UPDATE for many, and a crash in that moment
# only means an update handled again (a "já feito" answer for a change, a repeated read).
JUNTAR = 0.01
TENTATIVAS_MAX = 3  # an update that took the bot down this many times is set aside


class CaixaDeEntrada:
    """Durable, deduplicated record of every update Telegram delivered."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.presenca = Presenca(sessions)  # opened by the app before the first update
        self._concluidos: list[int] = []
        self._acordar = asyncio.Event()
        self._gravador: asyncio.Task[None] | None = None
        self._proxima_poda = datetime.min.replace(tzinfo=UTC)

    async def admitir(self, lote: Sequence[tuple[int, dict[str, Any]]]) -> set[int]:
        """Store the batch; the ids seen for the first time (a second copy is ignored).

        Until this returns, Telegram has not been told: the next getUpdates (or the webhook's
        200) is what confirms them. A database outage raises, and the batch stays at Telegram.
        """
        async with self._sessions.connect() as conn:
            novos = await repo.admitir(conn, lote=lote, dono=self.presenca.numero)
        await self._podar_se_for_hora()
        return novos

    def concluir(self, update_id: int) -> None:
        """Mark an update handled (written shortly, batched with others)."""
        self._concluidos.append(update_id)
        self._acordar.set()
        if self._gravador is None or self._gravador.done():
            self._gravador = asyncio.create_task(self._gravar(), name="cogep-inbox-done")

    async def pendentes(self) -> list[Pendente]:
        """Updates left unhandled by a process that died (this one before a crash, or another
        replica), oldest first, now this process's; poison ones are set aside."""
        async with self._sessions.connect() as conn:
            todos = await repo.pendentes(conn, dono=self.presenca.numero)
            desistir = [p.update_id for p in todos if p.tentativas > TENTATIVAS_MAX]
            if desistir:
                log.error(
                    "updates %s failed %d times; not replaying them", desistir, TENTATIVAS_MAX
                )
                await repo.concluir(conn, ids=desistir)
        return [p for p in todos if p.tentativas <= TENTATIVAS_MAX]

    async def fechar(self) -> None:
        """Write the last marks of "done" and let the presence go (at shutdown)."""
        if self._gravador is not None:
            self._acordar.set()
            self._gravador.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._gravador
        if self._concluidos:
            try:
                await self._escrever()
            except Exception as exc:  # at worst they are handled again at the next start
                log.warning("could not mark %d update(s) done: %s", len(self._concluidos), exc)
        await self.presenca.fechar()  # what is left is anybody's to replay now

    async def _gravar(self) -> None:
        while True:
            await self._acordar.wait()
            await asyncio.sleep(JUNTAR)
            self._acordar.clear()
            if self._concluidos:
                try:
                    await self._escrever()
                except Exception as exc:  # the next wake-up tries again; replay covers a crash
                    log.warning("could not mark %d update(s) done: %s", len(self._concluidos), exc)
                    await asyncio.sleep(1)
                    self._acordar.set()

    async def _escrever(self) -> None:
        ids, self._concluidos = self._concluidos, []
        try:
            async with self._sessions.connect() as conn:
                await repo.concluir(conn, ids=ids)
        except BaseException:
            self._concluidos[:0] = ids
            raise

    async def _podar_se_for_hora(self) -> None:
        agora = datetime.now(UTC)
        if agora < self._proxima_poda:
            return
        self._proxima_poda = agora + PODA_A_CADA
        try:
            async with self._sessions.connect() as conn:
                apagados = await repo.podar(conn, antes_de=agora - RETENCAO)
        except Exception as exc:
            log.warning("could not prune the inbox: %s", exc)
            return
        if apagados:
            log.info("pruned %d update(s) older than %s from the inbox", apagados, RETENCAO)
