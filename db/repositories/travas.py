"""Session-level advisory locks: one holder among every replica, released when it lets go or
its connection dies (`bot.notificacoes.lider` elects the scheduler's leader with one)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def tentar(conexao: AsyncConnection, *, chave: int) -> bool:
    """Take the lock `chave` on this connection if nobody holds it; whether it was taken."""
    return bool(await conexao.scalar(select(func.pg_try_advisory_lock(chave))))


async def soltar(conexao: AsyncConnection, *, chave: int) -> None:
    """Release the lock before the connection goes back to the pool."""
    await conexao.scalar(select(func.pg_advisory_unlock(chave)))


async def viva(conexao: AsyncConnection) -> None:
    """A round trip: raises when the connection (and so the lock) is gone."""
    await conexao.execute(select(1))
