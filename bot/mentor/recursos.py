"""What the Bot API server does not know, learnt once for every replica.

A server that predates rich messages or drafts answers them as unknown methods; the answer
streams then fall back to HTML (`handlers.transmissao`). The refusal is stored, so every
replica, and every later answer, goes straight to the fallback instead of paying a refused
call of its own. A database that cannot be read costs only that call.
"""

from __future__ import annotations

import logging

from db.engine import Sessions
from db.repositories import replicas as repo

log = logging.getLogger("cogep.mentor")

RICO = "rico"  # sendRichMessage / sendRichMessageDraft
RASCUNHO = "rascunho"  # sendMessageDraft


class RecursosDoServidor:
    """The Bot API methods the configured server refused as unknown."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def recusados(self) -> frozenset[str]:
        """What the server refused so far (nothing, when the database cannot say)."""
        try:
            async with self._sessions.connect(efeito=False) as conn:
                return frozenset(await repo.recursos_recusados(conn))
        except Exception as exc:  # the answer tries them and learns again
            log.warning("could not read the Bot API's refused methods: %s", exc)
            return frozenset()

    async def recusar(self, nome: str) -> None:
        """Remember that the server refused `nome`."""
        try:
            async with self._sessions.connect(efeito=False) as conn:
                await repo.recusar_recurso(conn, nome=nome)
        except Exception as exc:  # learnt again by the next answer
            log.warning("could not store that the Bot API refused %s: %s", nome, exc)
