"""This process's presence among the replicas: an advisory lock that only a live process holds.

Every update the inbox admits carries the number of the process that admitted it (`dono`).
Replaying unfinished updates (at start, and every `bot.app` sweep after) takes only those whose
owner no longer holds its lock: it died, and PostgreSQL let go of the lock with its connection.
So a replica starting beside a live one never handles that one's in-flight updates a second
time, and the in-flight updates of a replica that died are taken over by a survivor.

The lock is session-level, on a connection of its own for the process's life (like the
scheduler's leader, `bot.notificacoes.lider`); `garantir` takes it again, under the same number,
after that connection was lost.
"""

from __future__ import annotations

import contextlib
import logging
import secrets

from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Sessions
from db.repositories import travas
from db.repositories.entrada import CLASSE_PRESENCA

log = logging.getLogger("cogep.entrada")


def _chave(numero: int) -> int:
    """The bigint lock key: pg_locks shows it as classid = CLASSE_PRESENCA, objid = numero."""
    return (CLASSE_PRESENCA << 32) | numero


class Presenca:
    """The lock that says "the process numbered `numero` is alive"."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.numero: int | None = None  # None until `abrir`: updates admitted have no owner
        self._pilha: contextlib.AsyncExitStack | None = None
        self._conexao: AsyncConnection | None = None

    async def abrir(self) -> None:
        """Take a free number and hold its lock."""
        while self.numero is None:
            numero = 1 + secrets.randbelow(2**31 - 2)
            if await self._tomar(numero):
                self.numero = numero

    async def garantir(self) -> None:
        """Hold the lock again if its connection was lost (a database restart)."""
        if self.numero is None:
            return
        if self._conexao is not None:
            try:
                await travas.viva(self._conexao)
                return
            except Exception as exc:  # the connection died, and the lock with it
                log.warning("inbox presence lost (%s); taking it again", exc)
                await self._largar()
        if not await self._tomar(self.numero):  # taken meanwhile by a newcomer: a new number
            self.numero = None
            await self.abrir()

    async def fechar(self) -> None:
        """Let the lock go (at shutdown): what is left unfinished is anybody's to replay."""
        await self._largar()

    async def _tomar(self, numero: int) -> bool:
        pilha = contextlib.AsyncExitStack()
        conexao = await pilha.enter_async_context(self._sessions.connect(efeito=False))
        try:
            if await travas.tentar(conexao, chave=_chave(numero)):
                self._pilha, self._conexao = pilha, conexao
                return True
        except BaseException:
            await pilha.aclose()
            raise
        await pilha.aclose()
        return False

    async def _largar(self) -> None:
        pilha, conexao = self._pilha, self._conexao
        self._pilha, self._conexao = None, None
        if pilha is None or conexao is None or self.numero is None:
            return
        try:  # the connection goes back to the pool: the session-level lock must go first
            await travas.soltar(conexao, chave=_chave(self.numero))
        except Exception:
            with contextlib.suppress(Exception):
                await conexao.invalidate()
        with contextlib.suppress(Exception):
            await pilha.aclose()
