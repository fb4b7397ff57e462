"""Per-person answer queues: one person's questions in order, nobody waiting for anybody else.

A `Fila` runs jobs keyed by (chat, user): a job starts at once when that key is idle, otherwise
it waits behind the running one (the caller is told its place). Different keys run at the same
time. Each running job has an `Atendimento` with a stop event and a number (used as the draft
id, so a stop from the draft's own button finds it), and the id of the stored question it
answers: `perguntas()` lists those of every job waiting or running, whose heartbeat this
process keeps. State is per process, like the tasks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("cogep.mentor.fila")

Chave = tuple[int, int]  # (chat id, telegram user id)
Trabalho = Callable[["Atendimento"], Awaitable[None]]
CriarTarefa = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


@dataclass
class Atendimento:
    """One answer being produced: its number and its stop switch."""

    numero: int
    chave: Chave
    pergunta_id: int | None = None
    parar: asyncio.Event = field(default_factory=asyncio.Event)


class Fila:
    """The queues of every (chat, user) with answers running or waiting."""

    def __init__(self, criar_tarefa: CriarTarefa | None = None) -> None:
        self._criar = criar_tarefa or asyncio.create_task
        self._esperando: dict[Chave, deque[tuple[Atendimento, Trabalho]]] = {}
        self._rodando: dict[Chave, Atendimento] = {}
        self._numeros = itertools.count(1)

    def enfileirar(
        self, chave: Chave, trabalho: Trabalho, *, pergunta_id: int | None = None
    ) -> int:
        """Queue a job; how many jobs are ahead of it (0: it starts now)."""
        atendimento = Atendimento(numero=next(self._numeros), chave=chave, pergunta_id=pergunta_id)
        fila = self._esperando.setdefault(chave, deque())
        fila.append((atendimento, trabalho))
        if chave in self._rodando:
            return len(fila)
        self._proximo(chave)
        return 0

    def parar(self, chave: Chave, *, numero: int | None = None) -> bool:
        """Stop the job running for `chave` (only job `numero`, when given); whether one was."""
        atendimento = self._rodando.get(chave)
        if atendimento is None or (numero is not None and atendimento.numero != numero):
            return False
        atendimento.parar.set()
        return True

    def por_numero(self, numero: int) -> Atendimento | None:
        """The running job with this number."""
        return next((a for a in self._rodando.values() if a.numero == numero), None)

    def rodando(self, chave: Chave) -> Atendimento | None:
        """The job running for `chave`, if any."""
        return self._rodando.get(chave)

    def perguntas(self) -> list[int]:
        """The stored questions of every job waiting or running here."""
        atendimentos = [*self._rodando.values()]
        atendimentos += [a for fila in self._esperando.values() for a, _ in fila]
        return [a.pergunta_id for a in atendimentos if a.pergunta_id is not None]

    def _proximo(self, chave: Chave) -> None:
        fila = self._esperando.get(chave)
        if not fila:
            self._esperando.pop(chave, None)
            self._rodando.pop(chave, None)
            return
        atendimento, trabalho = fila.popleft()
        self._rodando[chave] = atendimento
        self._criar(self._rodar(atendimento, trabalho))

    async def _rodar(self, atendimento: Atendimento, trabalho: Trabalho) -> None:
        try:
            await trabalho(atendimento)
        except Exception:  # the job reports its own failures; this only keeps the queue alive
            log.exception("mentor job %s failed", atendimento.numero)
        finally:
            self._proximo(atendimento.chave)
