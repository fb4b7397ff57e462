"""Update ordering: one user's updates run in order, and never block anybody else's.

PTB's default processor either runs every update in sequence (one slow reply stalls all users)
or all concurrently (a user's "/novo" and their next answer race). This one runs updates
concurrently across (chat, user) pairs and strictly in arrival order within each pair.

One exception, by rule (`Interrupcao`): an update that only stops or cancels something does
not queue behind the handler it means to stop (a 30-second mentor answer, a slow search). It
runs at once, beside it: `/cancelar` (or the bare word, as people type it), a button whose
callback data starts with a registered stop prefix, and the Bot API's
`stopped_message_generation` (read from `Update.api_kwargs` until PTB knows it). A new stop
button adds its codec prefix to `Interrupcao.prefixos_de_botao` where the app is built.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

COMANDOS_DE_PARADA = frozenset({"cancelar"})
PALAVRAS_DE_PARADA = frozenset({"cancelar", "cancela", "cancele"})
TIPOS_DE_PARADA = frozenset({"stopped_message_generation"})


@dataclass(frozen=True)
class Interrupcao:
    """Which updates only stop or cancel, and so skip their pair's queue."""

    comandos: frozenset[str] = COMANDOS_DE_PARADA
    palavras: frozenset[str] = PALAVRAS_DE_PARADA
    prefixos_de_botao: frozenset[str] = frozenset()  # e.g. the mentor's "⏹ Parar" button
    tipos: frozenset[str] = TIPOS_DE_PARADA  # update fields PTB may not know yet

    def __call__(self, update: object) -> bool:
        """Whether `update` is a stop or a cancel."""
        if not isinstance(update, Update):
            return False
        if any(tipo in update.api_kwargs for tipo in self.tipos):
            return True
        query = update.callback_query
        if query is not None:
            return query.data is not None and query.data.startswith(tuple(self.prefixos_de_botao))
        texto = (update.message.text or "").strip().lower() if update.message else ""
        if texto.startswith("/"):
            return texto[1:].split(maxsplit=1)[0].split("@")[0] in self.comandos
        return texto in self.palavras


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Serialise updates per (chat, user); run different pairs concurrently; stops go first."""

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        envolver: Callable[[object], AbstractAsyncContextManager[None]] | None = None,
        interrompe: Callable[[object], bool] = Interrupcao(),
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._interrompe = interrompe
        # Around each update's run (the inbox: its exactly-once context and its mark of done).
        self._envolver = envolver or (lambda _update: contextlib.nullcontext())
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same pair's earlier updates, then run this one."""
        key = _key(update)
        if key is None or self._interrompe(update):
            async with self._envolver(update):
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._envolver(update):
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # last one out forgets the pair: no unbounded growth
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> tuple[int, int] | None:
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat.id if update.effective_chat else 0
    user = update.effective_user.id if update.effective_user else 0
    return None if chat == user == 0 else (chat, user)
