"""Queries on `grupos` (the group chats the bot is in)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Grupo

TITULO_MAX = 255  # the column: a longer title is cut, never an error


async def autorizado(session: AsyncSession, *, chat_id: int) -> bool:
    """Whether the group may be served (unknown groups may not)."""
    return bool(await session.scalar(select(Grupo.autorizado).where(Grupo.chat_id == chat_id)))


async def definir(
    session: AsyncSession,
    *,
    chat_id: int,
    titulo: str,
    autorizado: bool,
    por: int | None,
) -> None:
    """Record the group with its authorisation, creating it on first sight."""
    stmt = insert(Grupo).values(
        chat_id=chat_id, titulo=titulo[:TITULO_MAX], autorizado=autorizado, autorizado_por=por
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Grupo.chat_id],
            set_={
                "titulo": stmt.excluded.titulo,
                "autorizado": stmt.excluded.autorizado,
                "autorizado_por": stmt.excluded.autorizado_por,
                "atualizado_em": func.now(),
            },
        )
    )


async def migrar(session: AsyncSession, *, de: int, para: int) -> None:
    """A group became a supergroup: its new id inherits the old one's authorisation."""
    antigo = await session.get(Grupo, de)
    if antigo is None:
        return
    await definir(
        session,
        chat_id=para,
        titulo=antigo.titulo,
        autorizado=antigo.autorizado,
        por=antigo.autorizado_por,
    )
    await session.execute(update(Grupo).where(Grupo.chat_id == de).values(autorizado=False))
