"""The background work of one process, in one registry: named, started in order, stopped in
reverse within one shutdown timeout.

Every loop beside the bot (the outbox sender, the scheduler's tick, ingestion workers, held-back
replies, the retry of setMyCommands, the inbox's marks, ...) is registered by the composition
root (`bot.app`), so start-up and shutdown are one list read top to bottom, and nothing else
starts a loop by hand. Three shapes:

    laco(nome, rodar)                   a coroutine the registry runs as one task
    componente(nome, parar=, iniciar=)  something that runs its own tasks or holds a resource
                                        (the ingestion pool, the model's HTTP pool): its hooks
    criar(nome, coro)                   a short-lived task started while the bot runs (an
                                        announcement's progress reporter), cancelled at stop

Stopping walks the list backwards against one deadline (`COGEP_SHUTDOWN_TIMEOUT`, 20 s by
default): a loop is cancelled, a component's `parar` is awaited; whatever has not stopped by the
deadline is cancelled and named in a warning, and the rest still get their turn, so a stuck
loop never keeps the database from closing nor the process from exiting.

A loop that ends by an exception while the bot runs is logged with its name and traceback and
marked `morta` (dead); it is not restarted. The loops catch the failures they expect (a database
outage) themselves, so an exception that escapes is a bug: restarting would hide it behind a
flood of identical tracebacks, while a dead task makes `/readyz` (`vivas()`) say the replica is
unwell, and the orchestrator replaces it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger("cogep.tarefas")

Estado = Literal["parada", "rodando", "concluida", "morta"]
"""stopped (before start or after stop), running, finished its job, died of an exception."""
Rodar = Callable[[], Coroutine[Any, Any, None]]
Gancho = Callable[[], Awaitable[None]]
CANCELADA_ESPERA = 1.0  # seconds a cancelled task may take to unwind before it is abandoned


@dataclass(eq=False)
class _Registro:
    nome: str
    rodar: Rodar | None = None
    iniciar: Gancho | None = None
    parar: Gancho | None = None
    vivo: Callable[[], bool] | None = None
    tarefa: asyncio.Task[None] | None = None
    estado: Estado = "parada"


class Tarefas:
    """The registry: register, then `iniciar()` at start-up and `parar()` at shutdown."""

    def __init__(self, *, prazo: float = 20.0) -> None:
        self.prazo = prazo
        self._registros: list[_Registro] = []
        self._avulsas: dict[asyncio.Task[Any], str] = {}
        self._parando = False

    # -- registering -----------------------------------------------------------------------
    def laco(self, nome: str, rodar: Rodar) -> None:
        """A loop run as a task of its own, cancelled at stop."""
        self._novo(_Registro(nome, rodar=rodar))

    def componente(
        self,
        nome: str,
        *,
        parar: Gancho,
        iniciar: Gancho | None = None,
        vivo: Callable[[], bool] | None = None,
    ) -> None:
        """Something that runs its own tasks or holds a resource, started and stopped by hooks."""
        self._novo(_Registro(nome, iniciar=iniciar, parar=parar, vivo=vivo))

    def _novo(self, registro: _Registro) -> None:
        if any(r.nome == registro.nome for r in self._registros):
            raise ValueError(f"background task {registro.nome!r} is registered twice")
        self._registros.append(registro)

    def criar(self, nome: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a short-lived task now; a failure is logged with its name; stop cancels it."""
        tarefa = asyncio.create_task(coro, name=f"cogep:{nome}")
        self._avulsas[tarefa] = nome
        tarefa.add_done_callback(self._avulsa_terminou)
        return tarefa

    # -- state -------------------------------------------------------------------------------
    def estados(self) -> dict[str, Estado]:
        """Each registered task by name, in start order, with its state."""
        return {r.nome: self._estado(r) for r in self._registros}

    def vivas(self) -> bool:
        """Whether no registered task has died (what the readiness check reports)."""
        return all(estado != "morta" for estado in self.estados().values())

    def _estado(self, registro: _Registro) -> Estado:
        if registro.estado == "rodando" and registro.vivo is not None and not registro.vivo():
            return "morta"
        return registro.estado

    # -- life ------------------------------------------------------------------------------
    async def iniciar(self) -> None:
        """Start every registered task, in order; if one fails to start, stop the others."""
        self._parando = False
        for registro in self._registros:
            if registro.estado == "rodando":
                continue
            try:
                await self._iniciar(registro)
            except BaseException:
                log.error("background task %s failed to start", registro.nome)
                await self.parar()
                raise
            log.debug("background task %s started", registro.nome)

    async def _iniciar(self, registro: _Registro) -> None:
        if registro.iniciar is not None:
            await registro.iniciar()
        if registro.rodar is not None:
            registro.tarefa = asyncio.create_task(registro.rodar(), name=f"cogep:{registro.nome}")
            registro.tarefa.add_done_callback(functools.partial(self._terminou, registro))
        registro.estado = "rodando"

    async def parar(self) -> None:
        """Stop everything in reverse order, within `prazo` seconds in all."""
        self._parando = True
        prazo = asyncio.get_running_loop().time() + self.prazo
        avulsas = list(self._avulsas)
        for tarefa in avulsas:
            tarefa.cancel()
        await self._esperar(avulsas, prazo)
        for registro in reversed(self._registros):
            if registro.estado == "parada":
                continue
            await self._parar(registro, prazo)

    async def _parar(self, registro: _Registro, prazo: float) -> None:
        loop = asyncio.get_running_loop()
        if registro.tarefa is not None:
            registro.tarefa.cancel()
            await self._esperar([registro.tarefa], prazo)
            registro.tarefa = None
        if registro.parar is not None:
            restante = max(prazo - loop.time(), CANCELADA_ESPERA)
            try:
                await asyncio.wait_for(registro.parar(), timeout=restante)
            except TimeoutError:
                log.warning(
                    "background task %s did not stop within the shutdown timeout (%g s); cancelled",
                    registro.nome,
                    self.prazo,
                )
            except Exception:  # shutdown goes on: the others still need their turn
                log.exception("background task %s failed while stopping", registro.nome)
        registro.estado = "parada"

    async def _esperar(self, tarefas: list[asyncio.Task[Any]], prazo: float) -> None:
        """Wait for cancelled tasks until the deadline; name those that ignore it."""
        if not tarefas:
            return
        restante = max(prazo - asyncio.get_running_loop().time(), CANCELADA_ESPERA)
        _, presas = await asyncio.wait(tarefas, timeout=restante)
        for tarefa in presas:
            tarefa.cancel()
            log.warning(
                "background task %s did not stop within the shutdown timeout (%g s); abandoned",
                tarefa.get_name().removeprefix("cogep:"),
                self.prazo,
            )

    def _terminou(self, registro: _Registro, tarefa: asyncio.Task[None]) -> None:
        if tarefa.cancelled():
            return
        erro = tarefa.exception()
        if erro is not None:
            registro.estado = "morta"
            log.error("background task %s died", registro.nome, exc_info=erro)
        elif not self._parando:
            registro.estado = "concluida"
            log.debug("background task %s finished", registro.nome)

    def _avulsa_terminou(self, tarefa: asyncio.Task[Any]) -> None:
        nome = self._avulsas.pop(tarefa, "?")
        if not tarefa.cancelled() and tarefa.exception() is not None:
            log.error("task %s failed", nome, exc_info=tarefa.exception())
