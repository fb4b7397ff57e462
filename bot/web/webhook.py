"""Telegram's pushes: the secret first, then the size, then the body, then the inbox.

Telegram sends `X-Telegram-Bot-Api-Secret-Token` with every push when the webhook was set with
a secret. Anyone else who finds the URL could forge updates (an admin's `from.id` included), so
a push without the right header is refused with 403 before a byte of its body is read, and the
connection is closed rather than drained. Telegram's updates are kilobytes: a declared length
over `LIMITE_CORPO` is refused at once (413), and an undeclared one is cut off there; a body
that trickles in is given `espera_corpo` seconds.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import metricas
from bot.errors import Interno

log = logging.getLogger("cogep.web")

CABECALHO_SEGREDO = "X-Telegram-Bot-Api-Secret-Token"
LIMITE_CORPO = 1024 * 1024  # bytes; Telegram's updates are a few kilobytes


class TenteDeNovo(Interno):
    """The update could not be stored now (database down): 503, Telegram delivers it again."""


@dataclass(frozen=True)
class RotaWebhook:
    """The public `url` Telegram is told, its `caminho` (where we listen), the secret, and what
    takes the update's JSON (`entregar`: stores and queues it, raises `TenteDeNovo`)."""

    url: str
    caminho: str
    segredo: str
    entregar: Callable[[dict[str, Any]], Awaitable[None]]
    espera_corpo: float = 10.0

    async def receber(self, request: web.Request) -> web.StreamResponse:
        """One push, counted by the status it got."""
        resposta = await self._receber(request)
        metricas.WEBHOOK.labels(str(resposta.status)).inc()
        return resposta

    async def _receber(self, request: web.Request) -> web.Response:
        if not _mesmo(request.headers.get(CABECALHO_SEGREDO, ""), self.segredo):
            return _recusa(403, "Forbidden")
        tamanho = request.content_length
        if tamanho is not None and tamanho > LIMITE_CORPO:
            return _recusa(413, "Request Entity Too Large")
        try:
            async with asyncio.timeout(self.espera_corpo):
                corpo = await request.read()  # the application's client_max_size caps it
        except web.HTTPRequestEntityTooLarge:
            return _recusa(413, "Request Entity Too Large")
        except TimeoutError:
            return _recusa(408, "Request Timeout")
        try:
            dados = json.loads(corpo)
        except ValueError:
            dados = None
        if not isinstance(dados, dict):
            return web.Response(status=400, text="Bad Request")
        try:
            await self.entregar(dados)
        except TenteDeNovo:
            return web.Response(status=503, text="Service Unavailable")
        except (KeyError, TypeError, ValueError) as exc:  # not an update Telegram would send
            log.warning("webhook: push refused, not an update (%s)", type(exc).__name__)
            return web.Response(status=400, text="Bad Request")
        return web.Response(status=200)


def _mesmo(recebido: str, segredo: str) -> bool:
    """Constant-time comparison (no timing tells how much of a guess was right)."""
    return hmac.compare_digest(
        recebido.encode("utf-8", "surrogateescape"), segredo.encode("utf-8", "surrogateescape")
    )


def _recusa(status: int, texto: str) -> web.Response:
    """A refusal that closes the connection: the unread body is never drained."""
    resposta = web.Response(status=status, text=texto)
    resposta.force_close()
    return resposta
