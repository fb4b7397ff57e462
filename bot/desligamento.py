"""Graceful shutdown: stop taking updates, give what is in flight `COGEP_SHUTDOWN_TIMEOUT` to
finish, then cancel the rest so that the next start resumes it.

PTB's `Application.stop` waits for every update being handled and every task started with
`create_task` (the mentor's streaming answers) with no limit: one answer from a model that
hangs would hold the process until the orchestrator's SIGKILL, which writes no inbox mark and
closes no pool. `AplicacaoCogep.stop` waits for them until the deadline, then cancels what is
left:
- an update cut off is not marked done (`bot.entrada.porta`), so the inbox replays it at the
  next start, and a change it had committed is recognised there (`bot.entrada.efeito`);
- a mentor answer cut off keeps its stored question, which the next start offers again (🔁).
The background tasks (`bot.tarefas`) then stop within what is left of the same timeout, the
database last.

Signals are PTB's: `run_polling`/`run_webhook` turn SIGTERM and SIGINT into this stop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Generator
from typing import Any, TypeVar

from telegram.ext import Application

from bot.tarefas import Tarefas

log = logging.getLogger("cogep.desligamento")
T = TypeVar("T")
MINIMO_PARA_TAREFAS = 1.0  # seconds the background tasks get even after a late stop


class AplicacaoCogep(Application[Any, Any, Any, Any, Any, Any]):
    """The PTB Application, with in-flight work bounded by the shutdown timeout at stop."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._em_voo: set[asyncio.Task[Any]] = set()

    def create_task(
        self,
        coroutine: Generator[asyncio.Future[object], None, T] | Awaitable[T],
        update: object | None = None,
        *,
        name: str | None = None,
    ) -> asyncio.Task[T]:
        """PTB's create_task (updates being handled, the mentor's answers), remembered."""
        tarefa = super().create_task(coroutine, update, name=name)
        self._em_voo.add(tarefa)
        tarefa.add_done_callback(self._em_voo.discard)
        return tarefa

    async def stop(self) -> None:
        """Finish what is in flight within the shutdown timeout; cancel the rest."""
        tarefas: Tarefas = self.bot_data.tarefas  # handlers.context.AppState
        loop = asyncio.get_running_loop()
        inicio = loop.time()
        if self._em_voo:
            log.info(
                "stopping: waiting for %d update(s) and answer(s) in flight", len(self._em_voo)
            )
        vigia = loop.call_later(tarefas.prazo, self._cortar)
        try:
            await super().stop()
        finally:
            vigia.cancel()
        # The background tasks get what is left of the same timeout.
        tarefas.prazo = max(tarefas.prazo - (loop.time() - inicio), MINIMO_PARA_TAREFAS)

    def _cortar(self) -> None:
        """The deadline passed: cancel what is still running (the next start resumes it)."""
        restantes = [t for t in self._em_voo if not t.done()]
        if restantes:
            log.warning(
                "shutdown timeout reached: cancelling %d update(s) and answer(s) in flight; "
                "they are resumed at the next start",
                len(restantes),
            )
        for tarefa in restantes:
            tarefa.cancel()
