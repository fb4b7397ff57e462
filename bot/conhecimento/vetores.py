"""Optional embeddings: vectors for chunks and queries through an OpenAI-compatible endpoint.

Enabled by OPENAI_EMBEDDING_MODEL, and only where the database has pgvector (the embedded
server does; the CI machine's does not): `Vetores.preparar` says once, in the log, which search
runs. Vectors live in `trecho_vetores`, created at the first embedding because its dimension is
the model's (a model with another dimension turns vectors off, with a log line, rather than mix
spaces). Calls are batched and retried with backoff; a model that stays down leaves documents
searchable by full text and queries answered by full text alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import openai
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from db.engine import Sessions
from db.models import Usuario
from db.repositories import vetores as repo

log = logging.getLogger("cogep.conhecimento")
LOTE = 64
TENTATIVAS = 4
_TRANSITORIOS = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)


class Vetores:
    """Embeddings for chunks and queries, stored and searched with pgvector."""

    def __init__(
        self, cliente: openai.AsyncOpenAI, modelo: str, *, espera_maxima: float = 8.0
    ) -> None:
        self._cliente = cliente
        self._modelo = modelo
        self._espera_maxima = espera_maxima
        self._dimensao: int | None = None
        self.ativo = False

    async def preparar(self, sessions: Sessions) -> bool:
        """Enable vectors if pgvector exists (creating the extension); log what search runs."""
        async with sessions() as session:
            if not await repo.pgvector_disponivel(session):
                log.info(
                    "knowledge base: full-text search only (OPENAI_EMBEDDING_MODEL is set, "
                    "but this PostgreSQL has no pgvector)"
                )
                return False
            try:
                await repo.instalar_pgvector(session)
            except Exception as exc:  # no privilege to create it
                log.warning("knowledge base: full-text search only (pgvector: %s)", exc)
                return False
            self._dimensao = await repo.dimensao(session)
        self.ativo = True
        log.info("knowledge base: hybrid search (full text + %s vectors)", self._modelo)
        return True

    async def gerar(self, textos: Sequence[str]) -> list[list[float]]:
        """One vector per text, in batches, retried on transient failures."""
        vetores: list[list[float]] = []
        for inicio in range(0, len(textos), LOTE):
            lote = list(textos[inicio : inicio + LOTE])
            async for tentativa in AsyncRetrying(
                stop=stop_after_attempt(TENTATIVAS),
                wait=wait_exponential(multiplier=0.5, max=self._espera_maxima),
                retry=retry_if_exception_type(_TRANSITORIOS),
                reraise=True,
            ):
                with tentativa:
                    resposta = await self._cliente.embeddings.create(model=self._modelo, input=lote)
            ordenados = sorted(resposta.data, key=lambda d: d.index)
            vetores.extend(list(d.embedding) for d in ordenados)
        return vetores

    async def da_consulta(self, texto: str) -> list[float] | None:
        """The query's vector, or None (full text alone) when vectors are off or the model fails."""
        if not self.ativo or not texto.strip():
            return None
        try:
            return (await self.gerar([texto]))[0]
        except openai.OpenAIError as exc:
            log.warning("query embedding failed (%s); full-text search only", exc)
            return None

    async def gravar(
        self, session: AsyncSession, ids: Sequence[int], vetores: Sequence[Sequence[float]]
    ) -> bool:
        """Store the chunks' vectors in the caller's transaction (False when they do not fit)."""
        if not self.ativo or not vetores:
            return False
        dimensao = len(vetores[0])
        if self._dimensao is None:
            await repo.criar_tabela(session, dimensao=dimensao)
            self._dimensao = dimensao
        if dimensao != self._dimensao:
            log.error(
                "embedding model returns %d dimensions, trecho_vetores holds %d: vectors off",
                dimensao,
                self._dimensao,
            )
            self.ativo = False
            return False
        await repo.gravar(session, ids=ids, vetores=[_literal(v) for v in vetores])
        return True

    async def proximos(
        self, session: AsyncSession, *, usuario: Usuario, vetor: Sequence[float], limite: int
    ) -> list[int]:
        """Ids of the nearest chunks the user may see, nearest first."""
        if self._dimensao is None:
            return []
        return await repo.proximos(session, usuario=usuario, vetor=_literal(vetor), limite=limite)


def _literal(vetor: Sequence[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vetor) + "]"


def criar(settings: Any) -> Vetores | None:
    """The embeddings client for these settings, or None when no model is configured."""
    modelo = settings.openai_embedding_model
    if not modelo:
        log.info("knowledge base: full-text search only (OPENAI_EMBEDDING_MODEL not set)")
        return None
    chave = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "sem-chave"
    cliente = openai.AsyncOpenAI(
        api_key=chave, base_url=settings.openai_base_url, timeout=30.0, max_retries=0
    )
    return Vetores(cliente, modelo)
