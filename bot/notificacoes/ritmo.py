"""Pacing within Telegram's limits, without one slow chat holding up the others.

Telegram allows a bot about 30 messages a second overall, one a second in a private chat and
20 a minute in a group, and answers 429 with a `retry_after` for the chat that went too fast.
`async with ritmo.vez(chat_id): <send>` waits for that chat's turn and the overall one;
`pausar` honours a `retry_after` for that chat alone. (PTB's AIORateLimiter pauses *every*
send on one 429 and has no per-private-chat limit: that is why this exists; every send of the
process goes through one `Ritmo` via `bot.saida.ritmo.Limitador`.)

Telegram counts a message when it *arrives*, and a loaded event loop or network can bunch
sends that left evenly spaced (a grid of departures drew 429s in tests under load). So a send
counts from the moment it starts until a window after it *finished*: while in flight, and for
`janela` seconds after its answer came. Its arrival lies between the two, so Telegram's
sliding window can never hold more sends than ours, however the requests were delayed. A
chat's next send starts `privado` (or `grupo`) seconds after its previous one finished.

The limits are per process: several replicas share Telegram's budget, which their 429s then
enforce per chat; configure a lower `por_segundo` when running many.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

POR_SEGUNDO = 30.0
INTERVALO_PRIVADO = 1.0  # after the previous message to that chat was answered
INTERVALO_GRUPO = 3.0  # 20 a minute
_PODA = 10_000  # forget chats whose slot has passed once this many are remembered


class Ritmo:
    """The overall budget and every chat's next free moment."""

    def __init__(
        self,
        *,
        por_segundo: float = POR_SEGUNDO,
        privado: float = INTERVALO_PRIVADO,
        grupo: float = INTERVALO_GRUPO,
        relogio: Callable[[], float] = time.monotonic,
    ) -> None:
        self.por_segundo = por_segundo
        self._limite = max(1, round(por_segundo))  # sends per window...
        self._janela = self._limite / por_segundo  # ...of this many seconds (1 s at 30/s)
        self._privado = privado
        self._grupo = grupo
        self._relogio = relogio
        self._em_voo = 0
        self._recentes: deque[float] = deque()  # when the sends of the last window finished
        self._ocupados: set[int] = set()  # chats with a send in flight
        self._livre: dict[int, float] = {}  # chat -> when it may get its next send
        self._sinal = asyncio.Event()  # set (and replaced) whenever a send finishes

    @classmethod
    def livre(cls) -> Ritmo:
        """No limit (the console, a benchmark of Cogep itself): only a 429's pause holds."""
        return cls(por_segundo=1e6, privado=0.0, grupo=0.0)

    def espera(self, chat_id: int) -> float:
        """Seconds until the chat may get another message (a 429's pause included)."""
        return max(0.0, self._livre.get(chat_id, 0.0) - self._relogio())

    @asynccontextmanager
    async def vez(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for this chat's turn and the overall one, then send inside the block."""
        por_chat = self._intervalo(chat_id) > 0
        while True:
            sinal = self._sinal
            agora = self._relogio()
            while self._recentes and self._recentes[0] <= agora - self._janela:
                self._recentes.popleft()
            espera = self.espera(chat_id)
            if por_chat and chat_id in self._ocupados:
                espera = max(espera, self._janela)  # or sooner: woken when it finishes
            if self._em_voo + len(self._recentes) >= self._limite:
                fim = self._recentes[0] + self._janela - agora if self._recentes else self._janela
                espera = max(espera, fim)
            if espera <= 0:
                break
            with suppress(TimeoutError):
                await asyncio.wait_for(sinal.wait(), timeout=espera)
        self._em_voo += 1
        if por_chat:
            self._ocupados.add(chat_id)
        try:
            yield
        finally:
            self._terminou(chat_id, por_chat)

    def _terminou(self, chat_id: int, por_chat: bool) -> None:
        agora = self._relogio()
        self._em_voo -= 1
        self._recentes.append(agora)
        if por_chat:
            self._ocupados.discard(chat_id)
            self._livre[chat_id] = max(
                self._livre.get(chat_id, 0.0), agora + self._intervalo(chat_id)
            )
        if len(self._livre) > _PODA:
            self._livre = {c: t for c, t in self._livre.items() if t > agora}
        sinal, self._sinal = self._sinal, asyncio.Event()
        sinal.set()

    def _intervalo(self, chat_id: int) -> float:
        return self._grupo if chat_id < 0 else self._privado

    def pausar(self, chat_id: int, segundos: float) -> None:
        """Telegram asked this chat to wait (429 retry_after)."""
        ate = self._relogio() + segundos
        self._livre[chat_id] = max(self._livre.get(chat_id, 0.0), ate)
