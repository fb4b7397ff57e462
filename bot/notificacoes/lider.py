"""One scheduler leader among replicas: a PostgreSQL session-level advisory lock.

The leader holds the lock on a connection of its own for as long as it lives; when it dies (or
loses its connection) PostgreSQL releases the lock and the next replica to ask takes over. Only
the leader looks for due work; every replica sends (rows are claimed with SKIP LOCKED), and the
dedupe keys make even a brief double leadership harmless.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Sessions
from db.repositories import travas

log = logging.getLogger("cogep.notificacoes")
CHAVE_DO_LIDER = 0x636F676570  # "cogep"


class Lider:
    """Asks, on every tick, whether this process leads the scheduler."""

    def __init__(self, sessions: Sessions, *, chave: int = CHAVE_DO_LIDER) -> None:
        self._sessions = sessions
        self._chave = chave
        self._pilha: contextlib.AsyncExitStack | None = None
        self._conexao: AsyncConnection | None = None

    async def sou_lider(self) -> bool:
        """Whether this process holds the lock (taking it when it is free)."""
        if self._conexao is not None:
            try:
                await travas.viva(self._conexao)
                return True
            except Exception as exc:  # the connection died, and the lock with it
                log.warning("scheduler leadership lost: %s", exc)
                await self.largar()
        pilha = contextlib.AsyncExitStack()
        conexao = await pilha.enter_async_context(self._sessions.connect())
        try:
            if await travas.tentar(conexao, chave=self._chave):
                self._pilha, self._conexao = pilha, conexao
                log.info("this process now leads the notices scheduler")
                return True
        except BaseException:
            await pilha.aclose()
            raise
        await pilha.aclose()
        return False

    async def largar(self) -> None:
        """Give the lock up (at shutdown): another replica takes over at its next tick."""
        pilha, conexao = self._pilha, self._conexao
        self._pilha, self._conexao = None, None
        if pilha is None or conexao is None:
            return
        try:  # the connection goes back to the pool: the session-level lock must go first
            await travas.soltar(conexao, chave=self._chave)
        except Exception:
            with contextlib.suppress(Exception):
                await conexao.invalidate()  # a dead connection: PostgreSQL already let go
        with contextlib.suppress(Exception):
            await pilha.aclose()
