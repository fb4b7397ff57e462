"""A fake OpenAI-compatible `/v1/embeddings` server on 127.0.0.1, for the knowledge-base tests.

Vectors are deterministic bags of *concepts*: each word (folded, lowercased, four letters or
more) maps to a concept, synonyms to the same one (`automóvel` and `carro`), and each concept to
one of `DIMENSAO` axes. So a question in other words lands near the passage, which is what a
real model does and what full-text search cannot.

    async with FakeEmbeddings() as fake:
        settings = ..., openai_base_url=fake.base_url, openai_embedding_model="fake-embed"
        fake.fail_next(429, times=2)     # the next two requests are refused
        fake.requests                    # the `input` lists received, in order
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from types import TracebackType
from typing import Any, Self

from aiohttp import web

DIMENSAO = 32
SINONIMOS = {
    "automovel": "carro",
    "veiculo": "carro",
    "desfazer": "rollback",
    "reverter": "rollback",
    "reverta": "rollback",
    "garagem": "estacionamento",
}


def _conceito(palavra: str) -> str:
    sem = "".join(
        c for c in unicodedata.normalize("NFKD", palavra.lower()) if not unicodedata.combining(c)
    )
    return SINONIMOS.get(sem, sem)


def vetor(texto: str) -> list[float]:
    """The fake model's embedding of `texto`."""
    eixos = [0.0] * DIMENSAO
    for palavra in re.findall(r"\w{4,}", texto):
        indice = hashlib.sha256(_conceito(palavra).encode()).digest()[0] % DIMENSAO
        eixos[indice] += 1.0
    norma = math.sqrt(sum(x * x for x in eixos)) or 1.0
    return [x / norma for x in eixos]


class FakeEmbeddings:
    """The fake server; `base_url` goes in OPENAI_BASE_URL."""

    def __init__(self) -> None:
        self.requests: list[list[str]] = []
        self._falhas: list[int] = []
        self._runner: web.AppRunner | None = None
        self._porta = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (ending in /v1)."""
        return f"http://127.0.0.1:{self._porta}/v1"

    def fail_next(self, status: int, *, times: int = 1) -> None:
        """Answer the next `times` requests with this HTTP status."""
        self._falhas.extend([status] * times)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._porta = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(
        self, tipo: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _embeddings(self, request: web.Request) -> web.Response:
        corpo: dict[str, Any] = await request.json()
        entrada = corpo["input"]
        textos = [entrada] if isinstance(entrada, str) else list(entrada)
        self.requests.append(textos)
        if self._falhas:
            status = self._falhas.pop(0)
            erro = {"error": {"message": "fake failure", "type": "server_error", "code": None}}
            return web.json_response(erro, status=status)
        dados = [
            {"object": "embedding", "index": i, "embedding": vetor(t)} for i, t in enumerate(textos)
        ]
        uso = {"prompt_tokens": sum(len(t.split()) for t in textos), "total_tokens": 0}
        return web.json_response(
            {"object": "list", "data": dados, "model": corpo["model"], "usage": uso}
        )
