"""A TCP proxy between the bot and PostgreSQL that can cut a connection exactly at COMMIT.

It reads what the client sends, so it knows a connection's transaction inserted a processo
(`INSERT INTO processos`); at that transaction's COMMIT it can:

    "antes"    drop the connection without passing the COMMIT on (nothing is committed)
    "depois"   pass the COMMIT on, then drop the connection before its answer comes back
               (committed, but the bot cannot know)

and, after the cut, refuse new connections for `fora_do_ar` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Literal

Corte = Literal["antes", "depois"]


class ProxyDeCorte:
    """Listen on 127.0.0.1 and forward to the database at (host, port), or at a unix socket
    (the embedded server listens on nothing else)."""

    def __init__(self, host: str, port: int, *, unix_socket: str | None = None) -> None:
        self._destino = (host, port)
        self._unix_socket = unix_socket
        self._servidor: asyncio.Server | None = None
        self.porta = 0
        self.corte: Corte | None = None
        self.fora_do_ar = 0.0
        self.cortes = 0
        self._recusar_ate = 0.0
        self._tarefas: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> ProxyDeCorte:
        self._servidor = await asyncio.start_server(self._atender, "127.0.0.1", 0)
        self.porta = self._servidor.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._servidor is not None
        self._servidor.close()
        for tarefa in list(self._tarefas):
            tarefa.cancel()
        with contextlib.suppress(Exception):
            await self._servidor.wait_closed()

    def derrubar(self, *, por: float) -> None:
        """Cut every open connection now and refuse new ones for `por` seconds."""
        self._recusar_ate = time.monotonic() + por
        for tarefa in list(self._tarefas):
            tarefa.cancel()

    def armar(self, corte: Corte, *, fora_do_ar: float = 0.0) -> None:
        """Cut the next COMMIT of a transaction that inserts a processo."""
        self.corte, self.fora_do_ar = corte, fora_do_ar

    async def _atender(
        self, cliente_r: asyncio.StreamReader, cliente_w: asyncio.StreamWriter
    ) -> None:
        if time.monotonic() < self._recusar_ate:
            cliente_w.close()
            return
        try:
            if self._unix_socket is not None:
                servidor_r, servidor_w = await asyncio.open_unix_connection(self._unix_socket)
            else:
                servidor_r, servidor_w = await asyncio.open_connection(*self._destino)
        except OSError:
            cliente_w.close()
            return
        cortar = asyncio.Event()
        tarefas = {
            asyncio.create_task(self._do_cliente(cliente_r, servidor_w, cortar)),
            asyncio.create_task(self._do_servidor(servidor_r, cliente_w, cortar)),
        }
        self._tarefas |= tarefas
        await asyncio.wait(tarefas, return_when=asyncio.FIRST_COMPLETED)
        for tarefa in tarefas:
            tarefa.cancel()
        self._tarefas -= tarefas
        for escritor in (cliente_w, servidor_w):
            escritor.close()

    async def _do_cliente(
        self, leitor: asyncio.StreamReader, escritor: asyncio.StreamWriter, cortar: asyncio.Event
    ) -> None:
        inseriu = False
        while dados := await leitor.read(65536):
            inseriu = inseriu or b"INSERT INTO processos" in dados
            if self.corte is not None and inseriu and b"COMMIT" in dados:
                corte, self.corte = self.corte, None
                self.cortes += 1
                self._recusar_ate = time.monotonic() + self.fora_do_ar
                cortar.set()  # from now on nothing the server says reaches the client
                if corte == "depois":
                    escritor.write(dados)
                    await escritor.drain()
                    await asyncio.sleep(0.2)  # the server commits; its answer never returns
                return
            if b"COMMIT" in dados or b"ROLLBACK" in dados:
                inseriu = False
            escritor.write(dados)
            await escritor.drain()

    async def _do_servidor(
        self, leitor: asyncio.StreamReader, escritor: asyncio.StreamWriter, cortar: asyncio.Event
    ) -> None:
        while dados := await leitor.read(65536):
            if cortar.is_set():
                return
            escritor.write(dados)
            await escritor.drain()
