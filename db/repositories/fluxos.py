"""Queries on `fluxos` (guided-conversation state)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Fluxo


async def atual(
    session: AsyncSession, *, chat_id: int, telegram_id: int, desde: datetime
) -> Fluxo | None:
    """The user's flow in this chat, if touched after `desde`."""
    return await session.scalar(
        select(Fluxo).where(
            Fluxo.chat_id == chat_id,
            Fluxo.telegram_id == telegram_id,
            Fluxo.atualizado_em >= desde,
        )
    )


async def salvar(
    session: AsyncSession,
    *,
    chat_id: int,
    telegram_id: int,
    nome: str,
    passo: str,
    dados: dict[str, Any],
) -> None:
    """Create or replace the user's flow in this chat."""
    stmt = insert(Fluxo).values(
        chat_id=chat_id, telegram_id=telegram_id, nome=nome, passo=passo, dados=dados
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Fluxo.chat_id, Fluxo.telegram_id],
            set_={"nome": nome, "passo": passo, "dados": dados, "atualizado_em": func.now()},
        )
    )


async def apagar(
    session: AsyncSession,
    *,
    chat_id: int,
    telegram_id: int,
    exceto: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """Forget the user's flow in this chat (unless it is one of `exceto`); its data, if deleted."""
    condicoes = [Fluxo.chat_id == chat_id, Fluxo.telegram_id == telegram_id]
    if exceto:
        condicoes.append(Fluxo.nome.not_in(exceto))
    result = await session.execute(delete(Fluxo).where(*condicoes).returning(Fluxo.dados))
    row = result.first()
    return None if row is None else dict(row[0])
