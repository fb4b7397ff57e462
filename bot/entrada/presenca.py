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

import logging
import secrets

from db.engine import Sessions
from db.repositories.entrada import CLASSE_PRESENCA
from db.repositories.travas import TravaDeSessao

log = logging.getLogger("cogep.entrada")


def _chave(numero: int) -> int:
    """The bigint lock key: pg_locks shows it as classid = CLASSE_PRESENCA, objid = numero."""
    return (CLASSE_PRESENCA << 32) | numero


class Presenca:
    """The lock that says "the process numbered `numero` is alive"."""

    def __init__(self, sessions: Sessions) -> None:
        self.numero: int | None = None  # None until `abrir`: updates admitted have no owner
        self._trava = TravaDeSessao(sessions, efeito=False)

    async def abrir(self) -> None:
        """Take a free number and hold its lock."""
        while self.numero is None:
            numero = 1 + secrets.randbelow(2**31 - 2)
            if await self._trava.tomar(_chave(numero)):
                self.numero = numero

    async def garantir(self) -> None:
        """Hold the lock again if its connection was lost (a database restart)."""
        if self.numero is None:
            return
        if self._trava.tomada:
            try:
                await self._trava.viva()
                return
            except Exception as exc:  # the connection died, and the lock with it
                log.warning("inbox presence lost (%s); taking it again", exc)
                await self._trava.soltar()
        if not await self._trava.tomar(_chave(self.numero)):  # taken meanwhile: a new number
            self.numero = None
            await self.abrir()

    async def fechar(self) -> None:
        """Let the lock go (at shutdown): what is left unfinished is anybody's to replay."""
        await self._trava.soltar()
