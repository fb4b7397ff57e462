"""The background ingestion queue: a few asyncio workers feeding `Ingestao.processar`.

The queue in memory is only a doorbell: the truth is the `documentos` rows. At start (and every
`VARREDURA_S` after) the rows left `pendente`, or `processando` by a worker silent past its
claim, are queued again, so a restart or a dead replica loses nothing; the claim makes sure each
document is processed by one worker once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.conhecimento.ingestao import Ingestao
from db.engine import Sessions
from db.repositories import conhecimento as repo

log = logging.getLogger("cogep.conhecimento")
VARREDURA_S = 60.0


class FilaDeIngestao:
    """Workers that ingest queued documents while the chat stays responsive."""

    def __init__(self, sessions: Sessions, ingestao: Ingestao, *, trabalhadores: int = 2) -> None:
        self._sessions = sessions
        self._ingestao = ingestao
        self._trabalhadores = trabalhadores
        self._fila: asyncio.Queue[int] = asyncio.Queue()
        self._na_fila: set[int] = set()
        self._tarefas: list[asyncio.Task[None]] = []

    @property
    def rodando(self) -> bool:
        """Whether the workers are up."""
        return bool(self._tarefas)

    async def iniciar(self) -> None:
        """Start the workers and queue what a previous run left unfinished."""
        if self._tarefas:
            return
        self._tarefas = [
            asyncio.create_task(self._trabalhar(), name=f"ingestao-{i}")
            for i in range(self._trabalhadores)
        ]
        await self._retomar()
        self._tarefas.append(asyncio.create_task(self._varrer(), name="ingestao-varredura"))

    async def parar(self) -> None:
        """Stop the workers; a document in progress goes back to 'pendente'."""
        tarefas, self._tarefas = self._tarefas, []
        for tarefa in tarefas:
            tarefa.cancel()
        for tarefa in tarefas:
            with contextlib.suppress(asyncio.CancelledError):
                await tarefa

    def por(self, documento_id: int) -> None:
        """Queue a document (a no-op if it is already queued)."""
        if documento_id not in self._na_fila:
            self._na_fila.add(documento_id)
            self._fila.put_nowait(documento_id)

    async def _retomar(self) -> None:
        async with self._sessions() as session:
            ids = await repo.retomaveis(session, prazo_s=self._ingestao.prazo_s)
        if ids:
            log.info("resuming %d unfinished document(s)", len(ids))
        for documento_id in ids:
            self.por(documento_id)

    async def _varrer(self) -> None:
        while True:
            await asyncio.sleep(VARREDURA_S)
            try:
                await self._retomar()
            except Exception as exc:  # the database is down: the next sweep tries again
                log.warning("ingestion sweep failed: %s", exc)

    async def _trabalhar(self) -> None:
        while True:
            documento_id = await self._fila.get()
            self._na_fila.discard(documento_id)
            try:
                resultado = await self._ingestao.processar(documento_id)
                if resultado is not None:
                    log.info(
                        "document %s: %s (%d chunks)",
                        documento_id,
                        resultado.desfecho,
                        resultado.trechos,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:  # the database went away mid-way: the sweep queues it again
                log.exception("document %s could not be processed now", documento_id)
