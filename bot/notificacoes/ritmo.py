"""Pacing within Telegram's limits, without one slow chat holding up the others.

Telegram allows a bot about 30 messages a second overall, one a second in a private chat and
20 a minute in a group, and answers 429 with a `retry_after` for the chat that went too fast.
`Ritmo.vez(chat_id)` waits for that chat's next slot, then for the overall one; `pausar` honours
a `retry_after` for that chat alone. (PTB's AIORateLimiter pauses *every* send on one 429 and has
no per-private-chat limit: that is why this exists.) Overall slots are booked on a fixed grid,
each 1/por_segundo after the previous and never earlier than now, so a late wake-up does not
push the later ones back and the average holds the rate (aiolimiter's bucket loses ~5% to
wake-up latency at 30/s); they are 1% further apart than the rate asks, so network jitter
cannot put one send too many into Telegram's sliding second.

The limits are per process: several replicas share Telegram's budget, which their 429s then
enforce per chat; configure a lower `por_segundo` when running many.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POR_SEGUNDO = 30.0
MARGEM = 1.01
# A little over Telegram's figures: the slot is taken when a send starts, Telegram counts when
# it arrives, and network jitter must not turn two sends a second apart into a 429.
INTERVALO_PRIVADO = 1.05
INTERVALO_GRUPO = 3.1  # 20 a minute
_PODA = 10_000  # forget chats whose slot has passed once this many are remembered


class Ritmo:
    """The overall rate and every chat's next free moment."""

    def __init__(
        self,
        *,
        por_segundo: float = POR_SEGUNDO,
        privado: float = INTERVALO_PRIVADO,
        grupo: float = INTERVALO_GRUPO,
        relogio: Callable[[], float] = time.monotonic,
    ) -> None:
        self.por_segundo = por_segundo
        self._intervalo = MARGEM / por_segundo  # no burst: a bucket of 30 allows 60 in a second
        self._proximo = 0.0
        self._privado = privado
        self._grupo = grupo
        self._relogio = relogio
        self._livre: dict[int, float] = {}

    def espera(self, chat_id: int) -> float:
        """Seconds until the chat may get another message."""
        return max(0.0, self._livre.get(chat_id, 0.0) - self._relogio())

    async def vez(self, chat_id: int) -> None:
        """Wait for this chat's turn, then for the overall rate; the slot is then taken."""
        while (espera := self.espera(chat_id)) > 0:  # noqa: ASYNC110 (a 429 moves the slot)
            await asyncio.sleep(espera)
        agora = self._relogio()
        vez = max(agora, self._proximo)
        self._proximo = vez + self._intervalo  # booked before sleeping: first come, first served
        if vez > agora:
            await asyncio.sleep(vez - agora)
        intervalo = self._grupo if chat_id < 0 else self._privado
        self._livre[chat_id] = self._relogio() + intervalo
        if len(self._livre) > _PODA:
            agora = self._relogio()
            self._livre = {c: t for c, t in self._livre.items() if t > agora}

    def pausar(self, chat_id: int, segundos: float) -> None:
        """Telegram asked this chat to wait (429 retry_after)."""
        ate = self._relogio() + segundos
        self._livre[chat_id] = max(self._livre.get(chat_id, 0.0), ate)
