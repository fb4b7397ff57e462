"""Per-person answer queues in PostgreSQL: one person's questions in order, whichever replica
received them, and nobody waiting for anybody else.

A `Fila` runs jobs keyed by (chat, user). Each job is a row of `mentor_fila` (ids give the
order within a key); a job starts when nothing of its key is ahead of it, otherwise it waits
(the caller is told its place) and this process looks again every `INTERVALO` while it holds
jobs, or at once when one of its own jobs ends. Different keys run at the same time.

The job runs in the process that received the question (it holds the closure that answers), but
its number (the row id: the draft id and the ⏹ button's) and its stop switch are shared: a stop
pressed on any replica sets `parar` in the row, and the process running it sees that within
`INTERVALO` (at once when the stop arrives where the answer runs). This process renews the
heartbeat of its rows; rows of a process that died go silent and, after `SILENCIO`, hold nobody
up and are swept. `perguntas()` lists the stored questions of the jobs held here, whose own
heartbeat (`mensagens.vivo_em`) `handlers.mentor.vigiar` keeps.

The queue's writes are bookkeeping, never an update's change (the stored question is): they
open their doors with `efeito=False` (see `bot.entrada.efeito`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from db.engine import Sessions
from db.repositories import replicas as repo

log = logging.getLogger("cogep.mentor.fila")

Chave = tuple[int, int]  # (chat id, telegram user id)
Trabalho = Callable[["Atendimento"], Awaitable[None]]
CriarTarefa = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]
INTERVALO = 0.25  # seconds between looks at the turns and stops of the jobs held here
BATIMENTO = 5.0  # seconds between heartbeats of those jobs' rows
SILENCIO = 60.0  # a row silent this long lost its process (as a question's heartbeat)


@dataclass
class Atendimento:
    """One answer being produced: its number and its stop switch."""

    numero: int
    chave: Chave
    pergunta_id: int | None = None
    parar: asyncio.Event = field(default_factory=asyncio.Event)


class Fila:
    """The queues of every (chat, user), shared by the replicas through PostgreSQL."""

    def __init__(
        self,
        sessions: Sessions,
        criar_tarefa: CriarTarefa | None = None,
        *,
        intervalo: float = INTERVALO,
        silencio: float = SILENCIO,
    ) -> None:
        self._sessions = sessions
        self._criar = criar_tarefa or asyncio.create_task
        self._intervalo = intervalo
        self._silencio = silencio
        self._esperando: dict[int, tuple[Atendimento, Trabalho]] = {}
        self._rodando: dict[int, Atendimento] = {}
        self._acordar = asyncio.Event()
        self._vigia: asyncio.Task[None] | None = None

    async def enfileirar(
        self, chave: Chave, trabalho: Trabalho, *, pergunta_id: int | None = None
    ) -> int:
        """Queue a job; how many jobs of its key are ahead of it (0: it starts now)."""
        async with self._sessions.begin(efeito=False) as session:
            numero, a_frente = await repo.entrar(
                session, chat_id=chave[0], telegram_id=chave[1], pergunta_id=pergunta_id,
                silencio_s=self._silencio,
            )  # fmt: skip
        atendimento = Atendimento(numero=numero, chave=chave, pergunta_id=pergunta_id)
        if a_frente:
            self._esperando[numero] = (atendimento, trabalho)
            self._vigiar()
        else:
            self._comecar(atendimento, trabalho)
        return a_frente

    async def parar(self, chave: Chave, *, numero: int | None = None) -> bool:
        """Stop the job running for `chave` (only job `numero`, when given); whether one was."""
        async with self._sessions.connect(efeito=False) as conn:
            parado = await repo.pedir_parada(
                conn, chat_id=chave[0], telegram_id=chave[1], numero=numero,
                silencio_s=self._silencio,
            )  # fmt: skip
        if parado is None:
            return False
        if (aqui := self._rodando.get(parado)) is not None:
            aqui.parar.set()
        return True

    async def dono(self, numero: int) -> Chave | None:
        """The key of the job with this number, while it waits or runs (on any replica)."""
        if not 0 < numero < 2**63:  # a forged button or draft id: no row has it
            return None
        async with self._sessions.connect(efeito=False) as conn:
            return await repo.dono_da_vez(conn, numero=numero)

    def perguntas(self) -> list[int]:
        """The stored questions of every job waiting or running here."""
        atendimentos = [*self._rodando.values(), *(a for a, _ in self._esperando.values())]
        return [a.pergunta_id for a in atendimentos if a.pergunta_id is not None]

    async def fechar(self) -> None:
        """Stop looking at turns (at shutdown) and give up this process's rows, so nobody's
        next question waits behind an answer that will not come (its question is offered 🔁)."""
        vigia, self._vigia = self._vigia, None
        if vigia is not None:
            vigia.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await vigia
        numeros = [*self._esperando, *self._rodando]
        if numeros:
            try:
                async with self._sessions.connect(efeito=False) as conn:
                    await repo.largar(conn, numeros=numeros)
            except Exception as exc:  # they go silent and are swept after SILENCIO
                log.warning("mentor queue rows left behind at shutdown: %s", exc)

    def _comecar(self, atendimento: Atendimento, trabalho: Trabalho) -> None:
        self._rodando[atendimento.numero] = atendimento
        self._criar(self._rodar(atendimento, trabalho))
        self._vigiar()

    async def _rodar(self, atendimento: Atendimento, trabalho: Trabalho) -> None:
        try:
            await trabalho(atendimento)
        except Exception:  # the job reports its own failures; this only keeps the queue alive
            log.exception("mentor job %s failed", atendimento.numero)
        finally:
            self._rodando.pop(atendimento.numero, None)
            try:
                async with self._sessions.connect(efeito=False) as conn:
                    await repo.sair(conn, numero=atendimento.numero)
            except Exception as exc:  # the row goes silent and stops holding anyone up
                log.warning("mentor job %s left its row behind: %s", atendimento.numero, exc)
            self._acordar.set()  # a job of this process waiting behind it looks now

    def _vigiar(self) -> None:
        if self._vigia is None or self._vigia.done():
            self._vigia = asyncio.create_task(self._olhar(), name="cogep-mentor-fila")

    async def _olhar(self) -> None:
        """While jobs are held here: start those whose turn came, pass stops on, beat."""
        batida = time.monotonic()
        while self._esperando or self._rodando:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._acordar.wait(), timeout=self._intervalo)
            self._acordar.clear()
            numeros = [*self._esperando, *self._rodando]
            if not numeros:
                break
            try:
                async with self._sessions.connect(efeito=False) as conn:
                    if time.monotonic() - batida >= BATIMENTO:
                        batida = time.monotonic()
                        await repo.renovar(conn, numeros=numeros)
                        if self._esperando:
                            await repo.varrer(conn, silencio_s=self._silencio)
                    situacoes = await repo.situacoes(
                        conn, numeros=numeros, silencio_s=self._silencio
                    )
            except Exception as exc:  # the database is down: look again later
                log.warning("mentor queue look failed: %s", exc)
                await asyncio.sleep(self._intervalo)
                continue
            vistas = {s.numero: s for s in situacoes}
            for numero, atendimento in list(self._rodando.items()):
                if (vista := vistas.get(numero)) is not None and vista.parar:
                    atendimento.parar.set()
            for numero, (atendimento, trabalho) in list(self._esperando.items()):
                vista = vistas.get(numero)
                if vista is None or vista.vez:  # its turn, or its row was swept: nothing holds it
                    del self._esperando[numero]
                    self._comecar(atendimento, trabalho)
