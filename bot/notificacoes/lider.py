"""One scheduler leader among replicas: a PostgreSQL session-level advisory lock.

The leader holds the lock on a connection of its own for as long as it lives; when it dies (or
loses its connection) PostgreSQL releases the lock and the next replica to ask takes over. Only
the leader looks for due work; every replica sends (rows are claimed with SKIP LOCKED), and the
dedupe keys make even a brief double leadership harmless.
"""

from __future__ import annotations

import logging

from db.engine import Sessions
from db.repositories.travas import TravaDeSessao

log = logging.getLogger("cogep.notificacoes")
CHAVE_DO_LIDER = 0x636F676570  # "cogep"


class Lider:
    """Asks, on every tick, whether this process leads the scheduler."""

    def __init__(self, sessions: Sessions, *, chave: int = CHAVE_DO_LIDER) -> None:
        self._chave = chave
        self._trava = TravaDeSessao(sessions)

    async def sou_lider(self) -> bool:
        """Whether this process holds the lock (taking it when it is free)."""
        if self._trava.tomada:
            try:
                await self._trava.viva()
                return True
            except Exception as exc:  # the connection died, and the lock with it
                log.warning("scheduler leadership lost: %s", exc)
                await self.largar()
        if await self._trava.tomar(self._chave):
            log.info("this process now leads the notices scheduler")
            return True
        return False

    async def largar(self) -> None:
        """Give the lock up (at shutdown): another replica takes over at its next tick."""
        await self._trava.soltar()
