"""Extraction and chunking in separate processes, with a time limit and a memory limit.

A thread cannot be stopped, so a PDF that makes pypdf loop forever would keep a core and a
worker slot until the bot restarts; and a file built to inflate (a zip bomb, a CSV whose wide
header repeats on every row) would grow the bot itself. Here each document runs in a child
process (spawned, so no lock or connection of the bot is inherited), one `_Vaga` per concurrent
document, each its own one-process pool:

    time       past the limit the child is killed and the document refused
    memory     the child lives under `RLIMIT_AS` (`COGEP_INGEST_MEMORIA_MB`): a MemoryError is
               refused with its reason, and a child that died for it is replaced
    fat        a child is replaced after any failure or once its peak RSS passed
               `RECICLAR_ACIMA_BYTES`, so a worker never stays large after a large document
    orphans    a child dies with its parent: `PR_SET_PDEATHSIG` on Linux, and a watchdog thread
               that exits when the parent's pid changes (a kill -9 of the bot leaves nothing)

The child returns plain values (`Lido`, the refusal's reason, its peak RSS): cheap to pickle,
nothing of the bot's state crosses over.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot import texts
from bot.conhecimento.extracao import Limites, Recusado, extrair
from bot.conhecimento.fatiar import Fatia, fatiar

log = logging.getLogger("cogep.conhecimento")
RECICLAR_ACIMA_BYTES = 256 * 1024 * 1024
VIGIA_S = 0.5
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Lido:
    """A document read and chunked."""

    titulo: str
    paginas: int | None
    caracteres: int
    fatias: list[Fatia]


@dataclass(frozen=True)
class _Resposta:
    """What the child sends back: the document or the refusal, and its peak memory."""

    lido: Lido | None
    motivo: str | None
    pico_bytes: int
    pid: int


def ler(conteudo: bytes, nome: str, mime: str | None, limites: Limites) -> Lido:
    """Extract and chunk (what the child process runs; also callable in-process)."""
    extraido = extrair(conteudo, nome=nome, mime=mime, limites=limites)
    return Lido(extraido.titulo, extraido.paginas, extraido.caracteres, fatiar(extraido.blocos))


class Extrator:
    """Extraction processes; `ler` answers within `tempo` seconds or refuses with the reason."""

    def __init__(
        self,
        *,
        processos: int = 1,
        memoria_mb: int = 1024,
        reciclar_acima_bytes: int = RECICLAR_ACIMA_BYTES,
    ) -> None:
        self._todas = [_Vaga(memoria_mb, reciclar_acima_bytes) for _ in range(processos)]
        self._livres = list(self._todas)
        self._vagas = asyncio.Semaphore(processos)
        # the child that read the last document: its peak RSS and pid (for logs and tests)
        self.ultimo_pico_bytes = 0
        self.ultimo_pid = 0

    async def aquecer(self) -> None:
        """Start the processes now, so the first document does not wait for the spawn."""
        await asyncio.gather(*(vaga.aquecer() for vaga in self._todas))

    async def ler(
        self, conteudo: bytes, *, nome: str, mime: str | None, limites: Limites, tempo: float
    ) -> Lido:
        """The document's chunks, or `Recusado` (the reason) when unreadable or too slow."""
        async with self._vagas:
            vaga = self._livres.pop()
            try:
                resposta = await vaga.ler(conteudo, nome, mime, limites, tempo)
            finally:
                self._livres.append(vaga)
        self.ultimo_pico_bytes, self.ultimo_pid = resposta.pico_bytes, resposta.pid
        if resposta.lido is None:
            raise Recusado(resposta.motivo or texts.FALHA_INTERNA)
        return resposta.lido

    def fechar(self) -> None:
        """Stop the processes."""
        for vaga in self._todas:
            vaga.fechar()


class _Vaga:
    """One child process, replaced after a failure or a large document."""

    def __init__(self, memoria_mb: int, reciclar_acima_bytes: int) -> None:
        self._memoria_mb = memoria_mb
        self._reciclar_acima_bytes = reciclar_acima_bytes
        self._pool: ProcessPoolExecutor | None = None

    def _abrir(self) -> ProcessPoolExecutor:
        if self._pool is None:
            contexto = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=contexto,
                initializer=_preparar_filho,
                initargs=(os.getpid(), self._memoria_mb),
            )
        return self._pool

    async def aquecer(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._abrir(), _nada)

    async def ler(
        self, conteudo: bytes, nome: str, mime: str | None, limites: Limites, tempo: float
    ) -> _Resposta:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(tempo):
                resposta: _Resposta = await loop.run_in_executor(
                    self._abrir(), _ler_no_filho, conteudo, nome, mime, limites
                )
        except TimeoutError:
            log.warning("extraction of %r passed %.0f s; its process is killed", nome, tempo)
            self._substituir()
            raise Recusado(texts.falha_tempo(tempo)) from None
        except BrokenProcessPool:
            log.error("the extraction process of %r died (out of memory?)", nome)
            self._substituir()
            raise Recusado(texts.FALHA_LEITOR_CAIU) from None
        except asyncio.CancelledError:  # the caller gave up (shutdown, its own limit)
            self._matar()  # or the child would go on reading for nobody, holding the slot
            raise
        except Exception:  # a bug in an extractor: logged by the caller, the child replaced
            self._substituir()
            raise
        if resposta.lido is None or resposta.pico_bytes > self._reciclar_acima_bytes:
            log.info(
                "extraction of %r: peak %d MB; process %d is replaced",
                nome,
                resposta.pico_bytes // 2**20,
                resposta.pid,
            )
            self._substituir()
        return resposta

    def _substituir(self) -> None:
        """Kill the child and start its successor now, so the next document finds it warm."""
        self._matar()
        self._abrir().submit(_nada)

    def _matar(self) -> None:
        """Kill the pool's process (Python 3.14 has `terminate_workers`; 3.11 does not)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for processo in list(getattr(pool, "_processes", {}).values()):
            processo.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def fechar(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# -- in the child ----------------------------------------------------------------------------
def _preparar_filho(pai: int, memoria_mb: int) -> None:
    """Bound the child's memory and tie its life to the parent's."""
    limite = memoria_mb * 1024 * 1024
    _, teto = resource.getrlimit(resource.RLIMIT_AS)
    if teto != resource.RLIM_INFINITY:
        limite = min(limite, teto)
    resource.setrlimit(resource.RLIMIT_AS, (limite, teto))
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != pai:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_vigiar, args=(pai,), name="vigia-do-pai", daemon=True).start()


def _vigiar(pai: int) -> None:
    """The portable fallback: once the parent is gone, the child is reparented; exit then."""
    while os.getppid() == pai:
        time.sleep(VIGIA_S)
    os._exit(1)


def _ler_no_filho(conteudo: bytes, nome: str, mime: str | None, limites: Limites) -> _Resposta:
    try:
        lido, motivo = ler(conteudo, nome, mime, limites), None
    except Recusado as exc:
        lido, motivo = None, exc.motivo
    except MemoryError:
        lido, motivo = None, texts.FALHA_MEMORIA
    return _Resposta(lido, motivo, _pico_bytes(), os.getpid())


def _pico_bytes() -> int:
    """This process's peak resident memory.

    On Linux, VmHWM: ru_maxrss survives the exec of a spawned child, so a child of a large bot
    would report the bot's size at the fork and be replaced after every document.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for linha in status:
                if linha.startswith("VmHWM:"):
                    return int(linha.split()[1]) * 1024
    except OSError:
        pass
    pico = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return pico if sys.platform == "darwin" else pico * 1024


def _nada() -> None:
    """A no-op for warming a process up."""
