"""Knowledge base: extract, chunk, store and search the team's documents.

    extracao   bytes -> text blocks with heading path and page (pure; run in a child process),
               memory bounded as the text is produced; the type sniffed from the bytes
    fatiar     blocks -> chunks with overlap, one heading path each
    processo   extraction child processes: time and memory limits, replaced after a failure
               or a large document, gone with the bot
    web        SSRF-safe download of a URL (`endereco_publico`: IPv6 judged by its IPv4)
    vetores    optional embeddings (OpenAI-compatible) stored with pgvector
    busca      full-text (`db.busca.documentos`) or hybrid (RRF) search, scoped in SQL; `Passagem`
    ingestao   one document through the pipeline, one transaction to store it
    fila       background workers that resume unfinished documents
    servico    `ConhecimentoService`, the public face
    lote       `cogep ingest PATH…`: folders walked, files ingested a few at a time, a summary
    ingest_cli what `cogep ingest` runs: open the database, resolve the owner, print the summary

The package's names are imported on first use: the extraction child process imports
`extracao` and `fatiar` only, not the service, the database or the openai client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.conhecimento.busca import Passagem
    from bot.conhecimento.ingestao import Baixador, ResultadoDaIngestao
    from bot.conhecimento.servico import ConhecimentoService, PaginaDocumentos, pode_remover

_ONDE = {
    "Passagem": "busca",
    "Baixador": "ingestao",
    "ResultadoDaIngestao": "ingestao",
    "ConhecimentoService": "servico",
    "PaginaDocumentos": "servico",
    "pode_remover": "servico",
}
__all__ = [
    "Baixador",
    "ConhecimentoService",
    "PaginaDocumentos",
    "Passagem",
    "ResultadoDaIngestao",
    "pode_remover",
]


def __getattr__(nome: str) -> Any:
    if nome not in _ONDE:
        raise AttributeError(f"module 'bot.conhecimento' has no attribute {nome!r}")
    return getattr(importlib.import_module(f"bot.conhecimento.{_ONDE[nome]}"), nome)
