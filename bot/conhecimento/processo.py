"""Extraction and chunking in a separate process, with a time limit per document.

A thread cannot be stopped, so a PDF that makes pypdf loop forever would keep a core and a
worker slot until the bot restarts. Here each document runs in a `ProcessPoolExecutor` (spawned,
so no lock or connection of the bot is inherited); past the limit the pool's processes are
killed and a fresh pool is made for the next document. The child returns plain tuples: cheap to
pickle, nothing of the bot's state crosses over.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot import texts
from bot.conhecimento.extracao import Limites, Recusado, extrair
from bot.conhecimento.fatiar import Fatia, fatiar

log = logging.getLogger("cogep.conhecimento")


@dataclass(frozen=True)
class Lido:
    """A document read and chunked."""

    titulo: str
    paginas: int | None
    caracteres: int
    fatias: list[Fatia]


def ler(conteudo: bytes, nome: str, mime: str | None, limites: Limites) -> Lido:
    """Extract and chunk (what the child process runs; also callable in-process)."""
    extraido = extrair(conteudo, nome=nome, mime=mime, limites=limites)
    return Lido(extraido.titulo, extraido.paginas, extraido.caracteres, fatiar(extraido.blocos))


class Extrator:
    """A small pool of extraction processes; `ler` answers within `tempo` seconds or refuses."""

    def __init__(self, *, processos: int = 1) -> None:
        self._processos = processos
        self._pool: ProcessPoolExecutor | None = None

    def _abrir(self) -> ProcessPoolExecutor:
        if self._pool is None:
            contexto = multiprocessing.get_context("spawn")
            # No max_tasks_per_child: a respawn (imports of pypdf, lxml) measured ~0.8 s.
            self._pool = ProcessPoolExecutor(max_workers=self._processos, mp_context=contexto)
        return self._pool

    async def aquecer(self) -> None:
        """Start the processes now, so the first document does not wait for the spawn."""
        loop = asyncio.get_running_loop()
        pool = self._abrir()
        await asyncio.gather(*(loop.run_in_executor(pool, _nada) for _ in range(self._processos)))

    async def ler(
        self, conteudo: bytes, *, nome: str, mime: str | None, limites: Limites, tempo: float
    ) -> Lido:
        """The document's chunks, or `Recusado` (the reason) when unreadable or too slow."""
        loop = asyncio.get_running_loop()
        pool = self._abrir()
        try:
            async with asyncio.timeout(tempo):
                return await loop.run_in_executor(pool, ler, conteudo, nome, mime, limites)
        except TimeoutError:
            log.warning("extraction of %r passed %.0f s; its process is killed", nome, tempo)
            self._matar()
            raise Recusado(texts.falha_tempo(tempo)) from None
        except BrokenProcessPool:
            log.error("the extraction process of %r died (out of memory?)", nome)
            self._matar()
            raise Recusado(texts.FALHA_INTERNA) from None

    def _matar(self) -> None:
        """Kill the pool's processes (Python 3.14 has `terminate_workers`; 3.11 does not)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for processo in list(getattr(pool, "_processes", {}).values()):
            processo.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def fechar(self) -> None:
        """Stop the processes."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _nada() -> None:
    """A no-op for warming the pool up."""
