"""Every Prometheus metric of the process, in one place, and the few helpers that feed them.

Counted where it happens (one line at each place):

    cogep_updates_total{tipo,resultado}        updates handled (ok / erro) or dropped as a
                                               second copy (repetida), by kind (message, ...)
    cogep_update_segundos{tipo}                handler latency, from the update's turn to done
    cogep_erros_total{tipo}                    errors the error handler saw, by exception class
    cogep_webhook_total{status}                pushes answered, by HTTP status (403: a wrong
                                               secret; 413: too big; 503: database down)
    cogep_bot_api_total{metodo,status}         HTTP calls to the Bot API by method and HTTP
                                               status (429 is Telegram's flood control)
    cogep_modelo_total{operacao,resultado}     model calls by outcome (ok, timeout, limite, ...)
    cogep_modelo_segundos{operacao}            their latency, the whole stream included
    cogep_modelo_tokens_total{direcao}         tokens the model reported (entrada / saida)
    cogep_ingestao_total{resultado}            documents ingested (pronto / falhou / duplicado)

Read when /metrics is scraped (`medir_filas`: two indexed counts, one round trip each):

    cogep_notificacoes_pendentes               outbox notices due and not yet sent
    cogep_notificacao_mais_antiga_segundos     how long the oldest of them has been due
    cogep_ingestao_fila                        documents waiting or being processed
    cogep_banco_conexoes_em_uso                connections checked out of the pool

The default registry also carries prometheus-client's process metrics (memory, CPU, open
files). This module imports neither telegram nor SQL: callers hand it plain names and numbers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from db.engine import Sessions
from db.repositories import metricas as repo

UPDATES = Counter("cogep_updates", "Updates by kind and outcome.", ["tipo", "resultado"])
LATENCIA = Histogram(
    "cogep_update_segundos",
    "Time to handle one update (its handlers, error handler included).",
    ["tipo"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
ERROS = Counter("cogep_erros", "Errors seen by the error handler, by exception class.", ["tipo"])
WEBHOOK = Counter("cogep_webhook", "Webhook pushes answered, by HTTP status.", ["status"])
BOT_API = Counter(
    "cogep_bot_api", "HTTP calls to the Bot API by method and status.", ["metodo", "status"]
)
MODELO = Counter("cogep_modelo", "Model calls by operation and outcome.", ["operacao", "resultado"])
MODELO_LATENCIA = Histogram(
    "cogep_modelo_segundos",
    "Time of one model call, retries and the whole stream included.",
    ["operacao"],
    buckets=(0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
)
MODELO_TOKENS = Counter("cogep_modelo_tokens", "Tokens the model reported.", ["direcao"])
INGESTAO = Counter("cogep_ingestao", "Documents ingested, by outcome.", ["resultado"])
NOTIFICACOES_PENDENTES = Gauge(
    "cogep_notificacoes_pendentes", "Outbox notices due and not yet sent."
)
NOTIFICACAO_MAIS_ANTIGA = Gauge(
    "cogep_notificacao_mais_antiga_segundos", "Seconds the oldest unsent due notice has waited."
)
INGESTAO_FILA = Gauge("cogep_ingestao_fila", "Documents waiting or being processed.")
CONEXOES = Gauge("cogep_banco_conexoes_em_uso", "Database connections checked out of the pool.")

METODO = re.compile(r"[A-Za-z]{1,64}")
# No `_created` twin for every series: half the exposition, of no use to a dashboard.
disable_created_metrics()  # type: ignore[no-untyped-call]


@dataclass
class _Medida:
    resultado: str = "ok"


_ATUAL: ContextVar[_Medida | None] = ContextVar("cogep_update_medido", default=None)


@contextmanager
def medindo_update(tipo: str) -> Iterator[None]:
    """Around one update's handlers: its latency, and its outcome (see `falhou`)."""
    medida = _Medida()
    marca = _ATUAL.set(medida)
    inicio = time.perf_counter()
    try:
        yield
    except BaseException:
        medida.resultado = "erro"
        raise
    finally:
        _ATUAL.reset(marca)
        LATENCIA.labels(tipo).observe(time.perf_counter() - inicio)
        UPDATES.labels(tipo, medida.resultado).inc()


def falhou(erro: BaseException | None) -> None:
    """The error handler saw `erro`: count it, and mark the update being handled as failed."""
    ERROS.labels(type(erro).__name__ if erro is not None else "desconhecido").inc()
    medida = _ATUAL.get()
    if medida is not None:
        medida.resultado = "erro"


def repetida(tipo: str) -> None:
    """A second copy of an update was dropped at the door."""
    UPDATES.labels(tipo, "repetida").inc()


def chamada_bot_api(url: str, metodo_http: str, status: int) -> None:
    """One HTTP exchange with the Bot API (the method is the URL's last part; never the URL,
    which holds the token)."""
    nome = url.rsplit("/", 1)[-1] if metodo_http == "POST" else "arquivo"
    BOT_API.labels(nome if METODO.fullmatch(nome) else "outro", str(status)).inc()


@contextmanager
def chamando_modelo(operacao: str) -> Iterator[None]:
    """Around one model call: its latency and outcome (a failure's `tipo`, when it has one)."""
    inicio = time.perf_counter()
    resultado = "ok"
    try:
        yield
    except BaseException as exc:
        resultado = str(getattr(exc, "tipo", None) or type(exc).__name__)
        raise
    finally:
        MODELO.labels(operacao, resultado).inc()
        MODELO_LATENCIA.labels(operacao).observe(time.perf_counter() - inicio)


def tokens(entrada: int | None, saida: int | None) -> None:
    """Tokens the model reported for one call."""
    MODELO_TOKENS.labels("entrada").inc(entrada or 0)
    MODELO_TOKENS.labels("saida").inc(saida or 0)


def ingerido(resultado: str) -> None:
    """A document's ingestion ended (pronto, falhou, duplicado)."""
    INGESTAO.labels(resultado).inc()


def medir_conexoes(em_uso: Callable[[], int]) -> None:
    """Read the pool's checked-out connections at each scrape."""
    CONEXOES.set_function(em_uso)


async def medir_filas(sessions: Sessions, *, agora: datetime | None = None) -> None:
    """Refresh the gauges read from the database (the outbox and the ingestion queue)."""
    momento = agora or datetime.now(UTC)
    async with sessions() as session:
        filas = await repo.filas(session, agora=momento)
    NOTIFICACOES_PENDENTES.set(filas.notificacoes)
    atraso = (momento - filas.mais_antiga).total_seconds() if filas.mais_antiga else 0.0
    NOTIFICACAO_MAIS_ANTIGA.set(max(atraso, 0.0))
    INGESTAO_FILA.set(filas.documentos)
