"""Every send of the process paced under Telegram's limits, on the bot itself.

`Limitador` is python-telegram-bot's rate-limiter hook (`ExtBot(rate_limiter=...)`) on
`bot.notificacoes.ritmo.Ritmo`: before a message is sent it waits for that chat's next slot
(1/s private, 20/min group) and for the overall one (30/s), so a flood of replies and the
outbox share one budget and draw no 429s; when Telegram answers 429 anyway (to any call of a
chat: another replica, a server that counts otherwise) it pauses that chat alone and
re-raises, for the caller to decide (`bot.saida.envio`). PTB's own AIORateLimiter has no
per-private-chat limit and pauses *every* send on one 429: that is why this exists.
Edits are not paced here: each comes from a tap, or from a stream that keeps its own pace
(`bot.mentor.ritmo.Compasso`, which must skip a stale frame rather than queue it); drafts and
chat actions are not messages; callback answers must come fast.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, cast

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.notificacoes.ritmo import Ritmo

PACED_PREFIXES = ("send", "copyMessage", "forwardMessage")
UNPACED = frozenset({"sendChatAction", "sendMessageDraft", "sendRichMessageDraft"})


def ritmado(endpoint: str) -> bool:
    """Whether a Bot API method puts a message in a chat (and so counts against its limits)."""
    return endpoint.startswith(PACED_PREFIXES) and endpoint not in UNPACED


class Limitador(BaseRateLimiter[None]):
    """PTB's rate limiter on a `Ritmo`; see the module docstring."""

    def __init__(self, ritmo: Ritmo) -> None:
        self.ritmo = ritmo

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's turn, send, and remember a 429 for that chat."""
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int):
            return await callback(*args, **kwargs)
        if not ritmado(endpoint):
            return await self._chamar(chat_id, callback, args, kwargs)
        async with self.ritmo.vez(chat_id):
            return await self._chamar(chat_id, callback, args, kwargs)

    async def _chamar(
        self,
        chat_id: int,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as erro:
            self.ritmo.pausar(chat_id, segundos(erro))
            raise


def segundos(erro: RetryAfter) -> float:
    """The pause Telegram asked for: a timedelta, since `bot/__init__` sets `PTB_TIMEDELTA`."""
    return cast(timedelta, erro.retry_after).total_seconds()
