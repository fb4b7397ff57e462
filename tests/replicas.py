"""Several `cogep run` processes in webhook mode on one database, behind a round-robin proxy.

Used by tests/test_replicas.py (nothing doubled, nothing lost) and bench/soak.py (the same
harness under load). Everything speaks HTTP on loopback only:

    fake Bot API --POST--> Proxy --round robin--> replica 1, replica 2, ...
                           (eco: the same body to the next replica too, at the same moment)

    Proxy        an aiohttp server on 127.0.0.1; forwards each webhook POST (path and the
                 X-Telegram-Bot-Api-Secret-Token header as they came) to the next replica, and
                 with `eco` also to the one after it, concurrently: two replicas receiving the
                 same update at once, the hardest case for "handled once"
    Replica      one `python -m bot run` subprocess (its own port, log file, RSS reading)
    Replicas     the whole rig as an async context manager: proxy up, replicas started and
                 ready (each registered its webhook with the fake), stopped with SIGTERM

The replicas talk only HTTP (WEBHOOK_URL's path, the secret header), so the rig does not care
which web server a replica runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

from tests.fake_openai import FakeOpenAI
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
SEGREDO = "replicas-secret_0123456789"
CAMINHO = "telegram"
ADMIN_ID = 900_001
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def porta_livre() -> int:
    """A free TCP port on 127.0.0.1 (free now; good enough on a test machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proxy:
    """Round-robin reverse proxy for the webhook; `eco` doubles every update to the next one."""

    destinos: list[str] = field(default_factory=list)  # base URLs: http://127.0.0.1:port
    eco: bool = False
    encaminhados: int = 0
    falhas: int = 0
    chegadas: dict[int, float] = field(default_factory=dict)  # update_id -> when it arrived
    _porta: int = 0
    _runner: web.AppRunner | None = None
    _sessao: aiohttp.ClientSession | None = None
    _vez: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        """Where the fake Bot API posts (WEBHOOK_URL)."""
        return f"http://127.0.0.1:{self._porta}/{CAMINHO}"

    async def iniciar(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/{caminho:.*}", self._encaminhar)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._porta = self._runner.addresses[0][1]
        conector = aiohttp.TCPConnector(limit=200)
        self._sessao = aiohttp.ClientSession(
            connector=conector, timeout=aiohttp.ClientTimeout(total=30)
        )

    async def parar(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._sessao is not None:
            await self._sessao.close()

    async def enviar(
        self, destino: str, caminho: str, corpo: bytes, cabecalhos: Mapping[str, str]
    ) -> int:
        """POST `corpo` to one replica; its HTTP status (599 when it could not be reached)."""
        assert self._sessao is not None
        try:
            async with self._sessao.post(
                f"{destino}/{caminho}", data=corpo, headers=dict(cabecalhos)
            ) as resposta:
                await resposta.read()
                return resposta.status
        except (aiohttp.ClientError, OSError, TimeoutError):
            self.falhas += 1
            return 599

    async def _encaminhar(self, request: web.Request) -> web.Response:
        corpo = await request.read()
        with contextlib.suppress(ValueError, KeyError, TypeError):
            self.chegadas.setdefault(int(json.loads(corpo)["update_id"]), time.monotonic())
        cabecalhos = {"Content-Type": "application/json"}
        if HEADER in request.headers:
            cabecalhos[HEADER] = request.headers[HEADER]
        caminho = request.match_info["caminho"]
        vez = next(self._vez)
        alvo = self.destinos[vez % len(self.destinos)]
        self.encaminhados += 1
        if self.eco and len(self.destinos) > 1:
            outro = self.destinos[(vez + 1) % len(self.destinos)]
            status, _ = await asyncio.gather(
                self.enviar(alvo, caminho, corpo, cabecalhos),
                self.enviar(outro, caminho, corpo, cabecalhos),
            )
        else:
            status = await self.enviar(alvo, caminho, corpo, cabecalhos)
        return web.Response(status=status if status != 599 else 502)


@dataclass
class Replica:
    """One `cogep run` process."""

    nome: str
    porta: int
    log: Path
    processo: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """The replica's own base URL (its webhook is at `url/telegram`)."""
        return f"http://127.0.0.1:{self.porta}"

    def rss_kib(self) -> int:
        """Resident memory of the process now, in KiB (0 once it has ended)."""
        if self.processo is None or self.processo.returncode is not None:
            return 0
        try:
            status = Path(f"/proc/{self.processo.pid}/status").read_text()
        except OSError:
            return 0
        linha = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
        return int(linha.split()[1])

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the process used so far (0 once it has ended)."""
        if self.processo is None or self.processo.returncode is not None:
            return 0.0
        try:
            campos = Path(f"/proc/{self.processo.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(campos[11]) + int(campos[12])) / os.sysconf("SC_CLK_TCK")

    def saida(self) -> str:
        """What the process logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Replicas:
    """N replicas of Cogep in webhook mode behind one `Proxy`, on one database."""

    def __init__(
        self,
        tg: FakeTelegram,
        database_url: str,
        pasta: Path,
        *,
        quantas: int = 2,
        ai: FakeOpenAI | None = None,
        extra: Mapping[str, str] | None = None,
        eco: bool = False,
    ) -> None:
        self.tg = tg
        self.proxy = Proxy(eco=eco)
        self._database_url = database_url
        self._pasta = pasta
        self._ai = ai
        self._extra = dict(extra or {})
        self.replicas = [
            Replica(f"r{i + 1}", porta_livre(), pasta / f"r{i + 1}.log") for i in range(quantas)
        ]

    def ambiente(self, replica: Replica) -> dict[str, str]:
        """The environment a replica runs with (nothing inherited but the basics)."""
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        env = {
            **base,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": self.tg.token,
            "TELEGRAM_API_BASE_URL": self.tg.base_url,
            "TELEGRAM_FILE_BASE_URL": self.tg.base_file_url,
            "DATABASE_URL": self._database_url,
            "ADMIN_TELEGRAM_IDS": str(ADMIN_ID),
            "COGEP_CADASTRO_ABERTO": "true",
            "WEBHOOK_URL": self.proxy.url,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(replica.porta),
            "WEBHOOK_SECRET": SEGREDO,
            "LOG_LEVEL": "INFO",
            "COGEP_FLOOD_POR_SEGUNDO": "0",  # scripted people type faster than real ones
        }
        if self._ai is not None:
            env.update(
                OPENAI_API_KEY="sk-test",
                OPENAI_BASE_URL=self._ai.base_url,
                OPENAI_MODEL=self._ai.modelo,
                MENTOR_TIMEOUT="5",
                MENTOR_TENTATIVAS="1",
            )
        env.update(self._extra)
        return env

    async def __aenter__(self) -> Self:
        """Proxy up, then every replica started and serving its webhook."""
        await self.proxy.iniciar()
        self.proxy.destinos = [r.url for r in self.replicas]
        try:
            for replica in self.replicas:
                await self._iniciar(replica)
            await self.prontas()
        except BaseException:
            await self.parar()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """SIGTERM every replica, then the proxy."""
        await self.parar()

    async def _iniciar(self, replica: Replica) -> None:
        with replica.log.open("ab") as saida:
            replica.processo = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.ambiente(replica),
                cwd=str(self._pasta), stdout=saida, stderr=saida,
            )  # fmt: skip

    async def prontas(self, *, timeout: float = 60.0) -> None:
        """Wait until every replica registered its webhook and answers on its port."""
        prazo = asyncio.get_running_loop().time() + timeout
        for replica in self.replicas:
            while not await _atende(replica.porta):
                assert replica.processo is not None
                if replica.processo.returncode is not None:
                    raise RuntimeError(f"{replica.nome} ended at start:\n{replica.saida()[-3000:]}")
                if asyncio.get_running_loop().time() > prazo:
                    raise TimeoutError(f"{replica.nome} not ready:\n{replica.saida()[-3000:]}")
                await asyncio.sleep(0.1)
        await self.tg.wait_for(
            lambda: len(self.tg.calls_to("setWebhook")) >= len(self.replicas), timeout=timeout
        )

    async def parar(self, *, timeout: float = 30.0) -> None:
        """SIGTERM each replica (killed if it outlives `timeout`), then stop the proxy."""
        for replica in self.replicas:
            if replica.processo is not None and replica.processo.returncode is None:
                replica.processo.send_signal(signal.SIGTERM)
        for replica in self.replicas:
            if replica.processo is None:
                continue
            try:
                await asyncio.wait_for(replica.processo.wait(), timeout)
            except TimeoutError:
                replica.processo.kill()
                await replica.processo.wait()
        await self.proxy.parar()

    async def direto(self, replica: Replica, update: Mapping[str, object]) -> int:
        """POST an update to one replica directly, as Telegram would; its HTTP status."""
        corpo = json.dumps(update).encode()
        cabecalhos = {"Content-Type": "application/json", HEADER: SEGREDO}
        return await self.proxy.enviar(replica.url, CAMINHO, corpo, cabecalhos)

    def descartados(self) -> dict[str, int]:
        """Per replica, the second copies of updates its inbox dropped (logged at INFO)."""
        return {r.nome: r.saida().count("delivered again; dropped") for r in self.replicas}

    def erros(self) -> list[str]:
        """Log lines of every replica at ERROR or with a traceback."""
        linhas: list[str] = []
        for replica in self.replicas:
            for linha in replica.saida().splitlines():
                if "ERROR" in linha or "Traceback" in linha or '"level": "error"' in linha:
                    linhas.append(f"{replica.nome}: {linha}")
        return linhas


async def _atende(porta: int) -> bool:
    with contextlib.suppress(OSError):
        _, escrita = await asyncio.open_connection("127.0.0.1", porta)
        escrita.close()
        with contextlib.suppress(OSError):
            await escrita.wait_closed()
        return True
    return False
