"""Queries on `trecho_vetores` (pgvector): created at the first embedding, searched by distance.

The table exists only where pgvector does, and its dimension is the embedding model's, so it is
not a model of `db.models`: these statements name it directly. Visibility is the knowledge
base's own rule (`db.repositories.conhecimento.visivel_para`), applied in the same query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, cast, column, literal, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from db.models import Documento, Trecho, Usuario
from db.repositories.conhecimento import visivel_para


class _Vetor(UserDefinedType[str]):
    """pgvector's `vector`, for a CAST of the query's literal."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "vector"


_TRECHO_VETORES = table("trecho_vetores", column("trecho_id", BigInteger()), column("embedding"))


async def pgvector_disponivel(session: AsyncSession) -> bool:
    """Whether this PostgreSQL can install pgvector."""
    stmt = text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
    return bool(await session.scalar(stmt))


async def instalar_pgvector(session: AsyncSession) -> None:
    """CREATE EXTENSION vector (raises without the privilege)."""
    await session.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))


async def dimensao(session: AsyncSession) -> int | None:
    """The dimension of the stored vectors, or None before the first embedding."""
    stmt = text(
        "SELECT atttypmod FROM pg_attribute"
        " WHERE attrelid = to_regclass('trecho_vetores') AND attname = 'embedding'"
    )
    valor = await session.scalar(stmt)
    return int(valor) if valor is not None else None


async def criar_tabela(session: AsyncSession, *, dimensao: int) -> None:
    """The table and its HNSW index, once among concurrent workers (an advisory lock)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('trecho_vetores'))"))
    await session.execute(
        text(
            "CREATE TABLE IF NOT EXISTS trecho_vetores ("
            " trecho_id bigint PRIMARY KEY REFERENCES trechos (id) ON DELETE CASCADE,"
            f" embedding vector({int(dimensao)}) NOT NULL)"
        )
    )
    await session.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_trecho_vetores_embedding ON trecho_vetores"
            " USING hnsw (embedding vector_cosine_ops)"
        )
    )


async def gravar(session: AsyncSession, *, ids: Sequence[int], vetores: Sequence[str]) -> None:
    """Store chunks' vectors (pgvector literals, `[0.1,0.2]`) in the caller's transaction."""
    await session.execute(
        text(
            "INSERT INTO trecho_vetores (trecho_id, embedding)"
            " SELECT unnest(CAST(:ids AS bigint[])), unnest(CAST(:vetores AS text[]))::vector"
        ),
        {"ids": list(ids), "vetores": list(vetores)},
    )


async def proximos(
    session: AsyncSession, *, usuario: Usuario, vetor: str, limite: int
) -> list[int]:
    """Ids of the chunks nearest to `vetor` (a pgvector literal) that the user may see."""
    tv = _TRECHO_VETORES
    stmt = (
        select(tv.c.trecho_id)
        .join(Trecho, Trecho.id == tv.c.trecho_id)
        .join(Documento, Documento.id == Trecho.documento_id)
        .where(Documento.status == "pronto", visivel_para(usuario))
        .order_by(tv.c.embedding.op("<=>")(cast(literal(vetor), _Vetor())))
        .limit(limite)
    )
    return [int(i) for i in await session.scalars(stmt)]
