"""One document through the pipeline: claim, fetch, extract and chunk, embed, store, notify.

`Ingestao.processar(documento_id)` is what the background queue and `cogep ingest` both run.
Its transactions are short and never span the slow parts:

    1. claim      UPDATE ... status='processando', tentativas+1 (the fencing token)
    2. fetch      Telegram file, URL or local path (no transaction)
    3. read       extraction + chunking in a child process, with a time limit (no transaction)
    4. embed      optional, batched (no transaction)
    5. store      one transaction: re-check the claim, COPY the chunks, vectors, status 'pronto'
    6. notify     after commit, the sender's one message (`_avisar`, the only place that does)

A failure at any step leaves a `falhou` row with the reason and no chunk; a duplicate of a
stored document is deleted and reported. A worker whose claim was taken over (it was presumed
dead) writes nothing: its `tentativas` no longer matches.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metricas, texts
from bot.conhecimento import web
from bot.conhecimento.extracao import Limites, Recusado
from bot.conhecimento.processo import Extrator, Lido
from bot.conhecimento.vetores import Vetores
from bot.notificacoes.caixa import Mensageiro
from bot.settings import Settings
from db.engine import Sessions
from db.models import Documento
from db.repositories import conhecimento as repo
from db.repositories import usuarios as usuarios_repo

log = logging.getLogger("cogep.conhecimento")
# A live worker renews its claim every PULSO_S; one silent for three beats has died (SIGKILL,
# power loss), and another worker takes its document over instead of waiting out a long limit.
PULSO_S = 10.0


class Baixador(Protocol):
    """Fetches a chat upload's bytes by its Telegram file id."""

    async def baixar(self, file_id: str, *, limite: int) -> bytes:
        """The file's content; raises `Recusado` with the reason when it cannot."""


Desfecho = Literal["pronto", "falhou", "duplicado"]


@dataclass(frozen=True)
class ResultadoDaIngestao:
    """How one document ended."""

    documento_id: int
    titulo: str
    desfecho: Desfecho
    motivo: str | None = None
    trechos: int = 0


@dataclass(frozen=True)
class _Bruto:
    conteudo: bytes
    mime: str | None


class Ingestao:
    """Runs documents through the pipeline."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        notifier: Mensageiro,
        extrator: Extrator,
        *,
        baixador: Baixador | None = None,
        vetores: Vetores | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier
        self._extrator = extrator
        self.baixador = baixador
        self._vetores = vetores
        self.limites = Limites(
            bytes=settings.ingest_max_bytes,
            paginas=settings.ingest_max_paginas,
            caracteres=settings.ingest_max_caracteres,
        )

    @property
    def prazo_s(self) -> float:
        """How long a claim may go silent before another worker takes the document over."""
        return PULSO_S * 3

    async def processar(self, documento_id: int) -> ResultadoDaIngestao | None:
        """Ingest one document; None when another worker holds it or it is already done."""
        async with self._sessions.begin() as session:
            doc = await repo.reivindicar(session, documento_id=documento_id, prazo_s=self.prazo_s)
            if doc is None:
                return None
            destino = await _telegram_id(session, doc.enviado_por_id)
        pulso = asyncio.create_task(self._pulsar(doc), name=f"pulso-{doc.id}")
        try:
            resultado = await self._executar(doc)
        except asyncio.CancelledError:  # shutting down: give it back for the next start
            pulso.cancel()
            await self._devolver(doc)
            raise
        finally:
            pulso.cancel()
        metricas.ingerido(resultado.desfecho)
        if destino is not None:
            await self._avisar(destino, resultado, doc)
        return resultado

    async def _executar(self, doc: Documento) -> ResultadoDaIngestao:
        tempo = self._settings.ingest_tempo
        try:
            async with asyncio.timeout(tempo * 2):  # fetch and embed get their share too
                bruto = await self._buscar(doc)
                sha256 = hashlib.sha256(bruto.conteudo).hexdigest()
                existente = await self._igual(doc, sha256)
                if existente is not None:
                    return await self._descartar(doc, existente)
                lido = await self._extrator.ler(
                    bruto.conteudo,
                    nome=doc.nome_arquivo or doc.titulo,
                    mime=bruto.mime or doc.mime,
                    limites=self.limites,
                    tempo=tempo,
                )
                vetores = await self._embeddings(lido)
            return await self._gravar(doc, sha256, bruto, lido, vetores)
        except Recusado as exc:
            return await self._falhar(doc, exc.motivo)
        except TimeoutError:
            return await self._falhar(doc, texts.falha_tempo(tempo * 2))
        except Exception:
            log.exception("ingestion of document %s failed", doc.id)
            return await self._falhar(doc, texts.FALHA_INTERNA)

    async def _buscar(self, doc: Documento) -> _Bruto:
        """The document's bytes, from wherever it came."""
        limite = self.limites.bytes
        if doc.origem == "telegram":
            if self.baixador is None:
                raise Recusado(texts.falha_download("o bot não está conectado ao Telegram"))
            return _Bruto(await self.baixador.baixar(doc.referencia, limite=limite), doc.mime)
        if doc.origem == "url":
            baixado = await web.baixar(
                doc.referencia,
                limite_bytes=limite,
                tempo=self._settings.ingest_tempo,
                permitir_rede_local=self._settings.ingest_permitir_rede_local,
            )
            return _Bruto(baixado.conteudo, baixado.mime)
        return _Bruto(await asyncio.to_thread(_ler_arquivo, Path(doc.referencia), limite), None)

    async def _embeddings(self, lido: Lido) -> list[list[float]] | None:
        """Vectors for the chunks; a model that stays down costs the vectors, not the document."""
        if self._vetores is None or not self._vetores.ativo or not lido.fatias:
            return None
        try:
            return await self._vetores.gerar([f.texto for f in lido.fatias])
        except Exception as exc:
            log.warning("embeddings failed (%s); document stored for full-text search only", exc)
            return None

    async def _igual(self, doc: Documento, sha256: str) -> Documento | None:
        async with self._sessions() as session:
            return await repo.igual(
                session,
                sha256=sha256,
                privado=doc.privado,
                enviado_por_id=doc.enviado_por_id,
                exceto=doc.id,
            )

    async def _gravar(
        self,
        doc: Documento,
        sha256: str,
        bruto: _Bruto,
        lido: Lido,
        vetores: list[list[float]] | None,
    ) -> ResultadoDaIngestao:
        """Everything of the document in one transaction, if the claim is still ours."""
        try:
            async with self._sessions.begin() as session:
                meu = await repo.do_trabalhador(
                    session, documento_id=doc.id, tentativa=doc.tentativas
                )
                if meu is None:
                    log.warning("document %s was taken over by another worker", doc.id)
                    return ResultadoDaIngestao(doc.id, doc.titulo, "falhou", texts.FALHA_INTERNA)
                meu.sha256 = sha256
                meu.tamanho = len(bruto.conteudo)
                meu.mime = (bruto.mime or meu.mime or "")[:128] or None
                meu.titulo = lido.titulo[:300] or meu.titulo
                meu.paginas = lido.paginas
                meu.caracteres = lido.caracteres
                meu.total_trechos = len(lido.fatias)
                await session.flush()  # the unique sha256 index speaks here, before the COPY
                ids = await repo.gravar_trechos(
                    session,
                    documento_id=doc.id,
                    linhas=[(f.posicao, f.secao, f.pagina, f.texto) for f in lido.fatias],
                )
                if vetores is not None and self._vetores is not None:
                    await self._vetores.gravar(session, ids, vetores)
                meu.status = "pronto"
                meu.erro = None
                meu.processado_em = _agora()
                titulo = meu.titulo
        except IntegrityError:  # stored a moment ago by someone else
            existente = await self._igual(doc, sha256)
            if existente is None:
                raise
            return await self._descartar(doc, existente)
        doc.titulo, doc.paginas, doc.caracteres = titulo, lido.paginas, lido.caracteres
        doc.total_trechos, doc.status = len(lido.fatias), "pronto"
        return ResultadoDaIngestao(doc.id, titulo, "pronto", trechos=len(lido.fatias))

    async def _falhar(self, doc: Documento, motivo: str) -> ResultadoDaIngestao:
        """Record the failure and its reason (if the claim is still ours)."""
        async with self._sessions.begin() as session:
            meu = await repo.do_trabalhador(session, documento_id=doc.id, tentativa=doc.tentativas)
            if meu is not None:
                meu.status = "falhou"
                meu.erro = motivo
                meu.processado_em = _agora()
                await repo.apagar_falhas_anteriores(session, documento=meu)  # listed once
        return ResultadoDaIngestao(doc.id, doc.titulo, "falhou", motivo)

    async def _descartar(self, doc: Documento, existente: Documento) -> ResultadoDaIngestao:
        """A duplicate is not stored: its row goes, the sender is told which document it is."""
        async with self._sessions.begin() as session:
            await repo.descartar_do_trabalhador(
                session, documento_id=doc.id, tentativa=doc.tentativas
            )
        return ResultadoDaIngestao(doc.id, doc.titulo, "duplicado", texts.duplicado(existente))

    async def _pulsar(self, doc: Documento) -> None:
        """Renew the claim while this worker lives (each beat its own short statement)."""
        while True:
            await asyncio.sleep(PULSO_S)
            try:
                async with self._sessions.begin() as session:
                    await repo.renovar(session, documento_id=doc.id, tentativa=doc.tentativas)
            except Exception as exc:  # the database is away: the next beat tries again
                log.warning("document %s: claim not renewed (%s)", doc.id, type(exc).__name__)

    async def _devolver(self, doc: Documento) -> None:
        """Put a claimed document back to 'pendente' (the bot is stopping)."""
        try:
            async with self._sessions.begin() as session:
                meu = await repo.do_trabalhador(
                    session, documento_id=doc.id, tentativa=doc.tentativas
                )
                if meu is not None:
                    meu.status = "pendente"
        except Exception:  # the database went first: the claim expires on its own
            log.warning(
                "document %s left 'processando'; it resumes after its claim expires", doc.id
            )

    async def _avisar(
        self, telegram_id: int, resultado: ResultadoDaIngestao, doc: Documento
    ) -> None:
        """The one message a sender gets about their document."""
        if resultado.desfecho == "pronto":
            html = texts.ingestao_concluida(doc)
        else:
            html = texts.ingestao_falhou(resultado.titulo, resultado.motivo or texts.FALHA_INTERNA)
        await self._notifier.notify(telegram_id, html)


async def _telegram_id(session: AsyncSession, usuario_id: int | None) -> int | None:
    if usuario_id is None:
        return None
    remetente = await usuarios_repo.por_id(session, usuario_id=usuario_id)
    return remetente.telegram_id if remetente else None


def _ler_arquivo(caminho: Path, limite: int) -> bytes:
    """A local file's bytes, refusing a missing or oversize one before reading it."""
    try:
        tamanho = caminho.stat().st_size
        if tamanho > limite:
            raise Recusado(texts.falha_grande(tamanho, limite))
        return caminho.read_bytes()
    except FileNotFoundError:
        raise Recusado(texts.FALHA_ARQUIVO_SUMIU) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise Recusado(texts.falha_download(exc.strerror or "sem permissão")) from None


def _agora() -> datetime:
    return datetime.now(UTC)
