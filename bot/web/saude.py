"""`/healthz`, `/readyz` and `/metrics`: what an orchestrator and Prometheus ask the process.

/healthz   200 while the process answers at all (a liveness probe: restart me if not)
/readyz    200 when this replica can do its job: the database answers and its schema is at
           head, and no background task (`bot.tarefas`) has died; otherwise 503 with every
           reason found, in JSON, so a load balancer sends traffic elsewhere and a person
           reading it knows why
/metrics   the Prometheus exposition (`bot.metricas`); the gauges read from the database
           are refreshed first, within `espera` seconds, and a database that does not
           answer costs those gauges' freshness, never the scrape
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.tarefas import Tarefas

log = logging.getLogger("cogep.web")


@dataclass(frozen=True)
class Saude:
    """What the probes check: `esquema_atual` (raises when the database is unreachable),
    the task registry, and `medir` (refreshes the database-read gauges)."""

    esquema_atual: Callable[[], Awaitable[bool]]
    tarefas: Tarefas
    medir: Callable[[], Awaitable[None]]
    espera: float = 3.0  # seconds a probe gives the database

    def rotas(self, app: web.Application) -> None:
        """Add the three routes to `app`."""
        app.router.add_get("/healthz", self.vivo)
        app.router.add_get("/readyz", self.pronto)
        app.router.add_get("/metrics", self.metricas)

    async def vivo(self, request: web.Request) -> web.Response:
        """The process answers."""
        return web.json_response({"vivo": True})

    async def pronto(self, request: web.Request) -> web.Response:
        """200 when ready, 503 with the reasons otherwise."""
        motivos: dict[str, str] = {}
        try:
            async with asyncio.timeout(self.espera):
                atual = await self.esquema_atual()
        except TimeoutError:
            motivos["banco"] = f"o banco não respondeu em {self.espera:g} s"
        except Exception as exc:
            motivos["banco"] = f"banco inacessível ({type(exc).__name__})"
        else:
            if not atual:
                motivos["esquema"] = "esquema do banco desatualizado: rode `cogep migrate`"
        estados = self.tarefas.estados()
        mortas = [nome for nome, estado in estados.items() if estado == "morta"]
        if mortas:
            motivos["tarefas"] = "tarefas em segundo plano paradas por erro: " + ", ".join(mortas)
        corpo: dict[str, Any] = {"pronto": not motivos, "tarefas": estados}
        if motivos:
            corpo["motivos"] = motivos
            log.warning("not ready: %s", "; ".join(motivos.values()))
        return web.json_response(corpo, status=503 if motivos else 200)

    async def metricas(self, request: web.Request) -> web.Response:
        """The exposition, with the database-read gauges refreshed if the database answers."""
        try:
            async with asyncio.timeout(self.espera):
                await self.medir()
        except Exception as exc:  # a scrape must not fail because the database is away
            log.warning("metrics: database gauges not refreshed (%s)", type(exc).__name__)
        corpo = await asyncio.to_thread(generate_latest, REGISTRY)
        return web.Response(body=corpo, headers={"Content-Type": CONTENT_TYPE_LATEST})
