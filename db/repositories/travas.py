"""Session-level advisory locks: one holder among every replica, released when it lets go or
its connection dies. `TravaDeSessao` holds one on a connection of its own; the scheduler's
leader (`bot.notificacoes.lider`) and the inbox's presence (`bot.entrada.presenca`) use it."""

from __future__ import annotations

import contextlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Sessions


async def tentar(conexao: AsyncConnection, *, chave: int) -> bool:
    """Take the lock `chave` on this connection if nobody holds it; whether it was taken."""
    return bool(await conexao.scalar(select(func.pg_try_advisory_lock(chave))))


async def soltar(conexao: AsyncConnection, *, chave: int) -> None:
    """Release the lock before the connection goes back to the pool."""
    await conexao.scalar(select(func.pg_advisory_unlock(chave)))


async def viva(conexao: AsyncConnection) -> None:
    """A round trip: raises when the connection (and so the lock) is gone."""
    await conexao.execute(select(1))


class TravaDeSessao:
    """One session-level advisory lock held on a connection kept out of the pool's hands."""

    def __init__(self, sessions: Sessions, *, efeito: bool = True) -> None:
        self._sessions = sessions
        self._efeito = efeito
        self._chave: int | None = None
        self._pilha: contextlib.AsyncExitStack | None = None
        self._conexao: AsyncConnection | None = None

    @property
    def tomada(self) -> bool:
        """Whether a connection holding the lock is kept (it may have died since: see `viva`)."""
        return self._conexao is not None

    async def viva(self) -> None:
        """Raises when the lock's connection (and so the lock) is gone."""
        if self._conexao is None:
            raise ConnectionError("no advisory lock is held")
        await viva(self._conexao)

    async def tomar(self, chave: int) -> bool:
        """Take `chave` on a connection of its own if nobody holds it; whether it was taken."""
        pilha = contextlib.AsyncExitStack()
        conexao = await pilha.enter_async_context(self._sessions.connect(efeito=self._efeito))
        try:
            if await tentar(conexao, chave=chave):
                self._chave, self._pilha, self._conexao = chave, pilha, conexao
                return True
        except BaseException:
            await pilha.aclose()
            raise
        await pilha.aclose()
        return False

    async def soltar(self) -> None:
        """Let the lock go and give its connection back; never raises."""
        chave, pilha, conexao = self._chave, self._pilha, self._conexao
        self._chave, self._pilha, self._conexao = None, None, None
        if chave is None or pilha is None or conexao is None:
            return
        try:  # the connection goes back to the pool: the session-level lock must go first
            await soltar(conexao, chave=chave)
        except Exception:
            with contextlib.suppress(Exception):
                await conexao.invalidate()  # a dead connection: PostgreSQL already let go
        with contextlib.suppress(Exception):
            await pilha.aclose()
