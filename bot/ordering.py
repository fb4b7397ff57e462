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

Around each update's run it also opens the log context (`bot.logs.contexto`: update, chat and
user ids on every line, in the tasks the handlers start too), and asks the flood gate
(`bot.enxurrada`) before the update waits for its turn: an update over the person's rate is
dropped inside the inbox's wrapper, so the inbox marks it handled without any change (it is
not replayed), and the first drop of a flood sends one polite warning. Stops and cancels are
never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, ExtBot

from bot import texts
from bot.enxurrada import Enxurrada, Veredito
from bot.logs import contexto
from bot.render import escape
from bot.saida import envio

log = logging.getLogger("cogep.ordering")
Avisar = Callable[[Update], Awaitable[None]]

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
        enxurrada: Enxurrada | None = None,
        avisar: Avisar | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._interrompe = interrompe
        # Around each update's run (the inbox: its exactly-once context and its mark of done).
        self._envolver = envolver or (lambda _update: contextlib.nullcontext())
        self._enxurrada = enxurrada
        self._avisar = avisar
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same pair's earlier updates, then run this one (unless it floods)."""
        with contexto(**_ids(update)):
            inicio = time.monotonic()
            await self._processar(update, coroutine)
            log.debug("%s handled in %.0f ms", _tipo(update), (time.monotonic() - inicio) * 1000)

    async def _processar(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None or self._interrompe(update):
            async with self._envolver(update):
                await coroutine
            return
        veredito = self._veredito(update)
        if veredito is not Veredito.PASSA:
            async with self._envolver(update):  # marked handled: a flood is not replayed
                _descartar(coroutine)
                log.info("update dropped by flood control")
                if veredito is Veredito.AVISAR and self._avisar and isinstance(update, Update):
                    await self._avisar(update)
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

    def _veredito(self, update: object) -> Veredito:
        if self._enxurrada is None or not isinstance(update, Update):
            return Veredito.PASSA
        user = update.effective_user
        if user is None or user.is_bot:
            return Veredito.PASSA
        message = update.message or update.edited_message
        return self._enxurrada.admitir(
            user.id,
            enviado_em=message.date.timestamp() if message else None,
            album=message.media_group_id if message else None,
        )

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


def _ids(update: object) -> dict[str, int]:
    """The ids a log line of this update carries."""
    if not isinstance(update, Update):
        return {}
    ids = {"update_id": update.update_id}
    if update.effective_chat:
        ids["chat_id"] = update.effective_chat.id
    if update.effective_user:
        ids["user_id"] = update.effective_user.id
    return ids


def _tipo(update: object) -> str:
    """What kind of update it is ("message", "callback_query", ...), never what it says."""
    if not isinstance(update, Update):
        return type(update).__name__
    return next((tipo for tipo in Update.ALL_TYPES if getattr(update, tipo, None)), "update")


def _descartar(coroutine: Awaitable[Any]) -> None:
    """Never run a dropped update's handlers (and spare asyncio's "never awaited" warning)."""
    if asyncio.iscoroutine(coroutine):
        coroutine.close()


def avisar_enxurrada(bot: ExtBot[Any]) -> Avisar:
    """The one warning of a flood: an alert on the button pressed, a message in the chat
    otherwise (through `bot.saida.envio`, which reads Telegram's refusals)."""

    async def avisar(update: Update) -> None:
        if update.callback_query is not None:
            try:
                await bot.answer_callback_query(
                    update.callback_query.id, texts.ENXURRADA_PLAIN, show_alert=True
                )
            except TelegramError as exc:  # the warning is a courtesy: nothing depends on it
                log.info("could not send the flood warning: %s", exc.message)
        elif update.effective_chat is not None:
            await envio.enviar(bot, update.effective_chat.id, escape(texts.ENXURRADA_PLAIN))

    return avisar
