"""Replies that Telegram kept refusing with 429: stored, then delivered when the chat is free.

FilaDeRespostas     the interface a send path uses (`adiar`); the notices outbox can take
                    its place later by offering the same method
RespostasAdiadas    that interface on the `respostas_adiadas` table, with the loop that
                    delivers what is due: a row is leased (its time pushed forward) and
                    committed before the send, deleted after it, so no transaction waits on
                    Telegram and a crash mid-send delivers it again rather than never
RespostaAdiada      raised by the send path once the reply is stored: the handler stops
                    there, quietly (not a bug, and an apology would meet the same 429)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from db.engine import Sessions
from db.repositories import entrada as repo

log = logging.getLogger("cogep.entrada")
Enviar = Callable[[int, str, dict[str, Any] | None], Awaitable[None]]
"""Send (chat_id, html, keyboard as a dict); raises `Adiar` to be tried again later."""
LEASE = timedelta(minutes=2)  # a row being sent is not picked up again before this
POR_VEZ = 20
OCIOSO = 5.0  # seconds between looks when nothing is due


class RespostaAdiada(Exception):
    """The reply was stored to be sent after Telegram's `retry_after`."""


class Adiar(Exception):
    """Raised by `Enviar` when Telegram still refuses: try again after `segundos`."""

    def __init__(self, segundos: float) -> None:
        super().__init__(segundos)
        self.segundos = segundos


class FilaDeRespostas(Protocol):
    """Where a reply goes when it cannot be sent now."""

    async def adiar(
        self, chat_id: int, html: str, *, teclado: dict[str, Any] | None, segundos: float
    ) -> None:
        """Store the reply, to be sent in `segundos` or later."""


class RespostasAdiadas:
    """`FilaDeRespostas` on PostgreSQL, and its delivery loop."""

    def __init__(
        self, sessions: Sessions, *, agora: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._sessions = sessions
        self._agora = agora
        self._acordar = asyncio.Event()
        self._tarefa: asyncio.Task[None] | None = None

    async def adiar(
        self, chat_id: int, html: str, *, teclado: dict[str, Any] | None, segundos: float
    ) -> None:
        """Store the reply; the delivery loop sends it once `segundos` have passed."""
        async with self._sessions.connect() as conn:
            await repo.adiar_resposta(
                conn,
                chat_id=chat_id,
                html=html,
                teclado=teclado,
                enviar_apos=self._agora() + timedelta(seconds=segundos),
            )
        log.info(
            "reply to chat %s held back by flood control; sending in %.0f s", chat_id, segundos
        )
        self._acordar.set()

    def iniciar(self, enviar: Enviar) -> None:
        """Start delivering due replies with `enviar`."""
        self._tarefa = asyncio.create_task(self._entregar(enviar), name="cogep-replies-later")

    async def parar(self) -> None:
        """Stop the delivery loop (what is stored stays for the next start)."""
        if self._tarefa is not None:
            self._tarefa.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarefa

    async def _entregar(self, enviar: Enviar) -> None:
        while True:
            try:
                espera = await self._rodada(enviar)
            except Exception as exc:  # the database may be down: the rows wait, nothing is lost
                log.warning("could not deliver held-back replies: %s", exc)
                espera = OCIOSO
            self._acordar.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._acordar.wait(), timeout=espera)

    async def _rodada(self, enviar: Enviar) -> float:
        """Send what is due; seconds until the next one is."""
        agora = self._agora()
        async with self._sessions.begin() as session:
            devidas = await repo.respostas_vencidas(session, agora=agora, limite=POR_VEZ)
            for resposta in devidas:
                resposta.enviar_apos = agora + LEASE
            pares = [(r.id, r.chat_id, r.html, r.teclado) for r in devidas]
        for id_, chat_id, html, teclado in pares:
            try:
                await enviar(chat_id, html, teclado)
            except Adiar as adiar:
                async with self._sessions.connect() as conn:
                    await repo.reagendar_resposta(
                        conn, id_=id_, enviar_apos=self._agora() + timedelta(seconds=adiar.segundos)
                    )
                continue
            except Exception as exc:  # blocked, chat gone: nobody to deliver to
                log.warning("held-back reply to chat %s dropped: %s", chat_id, exc)
            async with self._sessions.connect() as conn:
                await repo.apagar_resposta(conn, id_=id_)
            log.info("held-back reply delivered to chat %s", chat_id)
        if len(pares) == POR_VEZ:
            return 0.0
        async with self._sessions.connect() as conn:
            proxima = await repo.proxima_resposta(conn)
        if proxima is None:
            return OCIOSO
        return max(0.0, min(OCIOSO, (proxima - self._agora()).total_seconds()))
