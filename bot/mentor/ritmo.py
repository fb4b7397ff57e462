"""Pacing a streamed answer: the newest text, at most once per interval, one call at a time.

`Compasso` sits between the model (which may yield dozens of pieces a second) and a chat (which
takes about one edit a second). `atualizar(texto)` only records the newest text; a pump task
sends it: the first piece at once, then at most once per `intervalo`, never two sends in flight,
and intermediate texts are simply skipped (the pause runs from the end of a send, so the server
never sees two closer than the interval). A send that raises `Devagar(s)` (a 429) makes the
pump wait `s` and double its interval. `fechar()` stops the pump after the send in flight, so
the final message that follows never races a late update, and `respeitar()` lets a final edit
keep the interval too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.errors import Interno

log = logging.getLogger("cogep.mentor.ritmo")
INTERVALO_MAXIMO = 10.0


class Devagar(Interno):
    """Raised by a send that was told to slow down (flood control)."""

    def __init__(self, segundos: float) -> None:
        super().__init__(f"slow down for {segundos:.1f} s")
        self.segundos = segundos


class Compasso:
    """Throttles `enviar(texto)` to one call per `intervalo`, newest text wins."""

    def __init__(
        self,
        enviar: Callable[[str], Awaitable[None]],
        *,
        intervalo: float,
    ) -> None:
        self._enviar = enviar
        self.intervalo = intervalo
        self._texto: str | None = None
        self._enviado: str | None = None
        self._novo = asyncio.Event()
        self._livre = asyncio.Event()  # set while no send is in flight
        self._livre.set()
        self._tarefa: asyncio.Task[None] | None = None
        self.ultimo: float | None = None  # loop time at the end of the last send

    async def respeitar(self) -> None:
        """Wait until a call now would keep the interval after the last send."""
        if self.ultimo is not None:
            falta = self.ultimo + self.intervalo - asyncio.get_running_loop().time()
            if falta > 0:
                await asyncio.sleep(falta)

    def atualizar(self, texto: str) -> None:
        """Record the newest text; the pump sends it when its turn comes."""
        self._texto = texto
        self._novo.set()
        if self._tarefa is None:
            self._tarefa = asyncio.create_task(self._bombear(), name="cogep-compasso")

    async def _bombear(self) -> None:
        while True:
            await self._novo.wait()
            self._novo.clear()
            texto = self._texto
            if texto is None or texto == self._enviado:
                continue
            self._livre.clear()
            try:
                await self._enviar(texto)
                self._enviado = texto
                pausa = self.intervalo
            except Devagar as exc:
                self.intervalo = min(self.intervalo * 2, INTERVALO_MAXIMO)
                pausa = max(exc.segundos, self.intervalo)
                self._novo.set()  # the text still has to go out
            except Exception:  # a failed preview must never fail the answer
                log.warning("streaming update failed", exc_info=True)
                pausa = self.intervalo
            finally:
                self.ultimo = asyncio.get_running_loop().time()
                self._livre.set()
            # Counted from the end of the send: however slow one call was, the server never
            # sees two of them closer than `intervalo`.
            await asyncio.sleep(pausa)

    async def fechar(self) -> None:
        """Stop pumping; a send in flight completes first, so nothing arrives after this."""
        tarefa, self._tarefa = self._tarefa, None
        if tarefa is None:
            return
        await self._livre.wait()
        tarefa.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tarefa
