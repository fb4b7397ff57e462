"""Every send of the process paced under Telegram's limits, on the bot itself.

`Limitador` is python-telegram-bot's rate-limiter hook (`ExtBot(rate_limiter=...)`) on
`bot.notificacoes.ritmo.Ritmo`: before a send or an edit it waits for that chat's next slot
(1/s private, 20/min group) and for the overall one (30/s), so a flood of replies, the outbox
and the mentor's stream share one budget and draw no 429s; when Telegram answers 429 anyway
(another replica, a server that counts otherwise) it pauses that chat alone and re-raises, for
the caller to decide (`bot.saida.envio`). PTB's own AIORateLimiter has no per-private-chat
limit and pauses *every* send on one 429: that is why this exists. Drafts and chat actions are
not messages and are not paced; neither are callback answers, which must come fast.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.notificacoes.ritmo import Ritmo

PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
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
        if not isinstance(chat_id, int) or not ritmado(endpoint):
            return await callback(*args, **kwargs)
        await self.ritmo.vez(chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as erro:
            espera = erro.retry_after
            self.ritmo.pausar(
                chat_id, espera.total_seconds() if isinstance(espera, timedelta) else espera
            )
            raise
