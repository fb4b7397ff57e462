"""The board's read of `processos`: a few cards per status column and the open columns' totals.

Scoped by `db.repositories.processos.visivel_para` like every other read. Shaped for 100,000
processos (bench/processos.py, board case): each column is its own LIMITed select that an index
serves — open columns walk the partial `prazo` index (latest deadline last, so what is late comes
first), closed ones walk `criado_em` backwards (newest first) — and only the open columns are
counted, over the same partial index; counting the closed history would read the whole table
on every opening of the board.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.models import ABERTOS, STATUS, Processo, Usuario
from db.repositories.processos import visivel_para


def filtro_do_quadro(
    usuario: Usuario,
    *,
    agora: datetime,
    meus: bool = False,
    atrasados: bool = False,
    responsavel_id: int | None = None,
) -> ColumnElement[bool]:
    """What the board shows: visible to `usuario`, narrowed by the filters the page offers
    (`responsavel_id` 0 means nobody yet)."""
    condicoes: list[ColumnElement[bool]] = [visivel_para(usuario)]
    if meus:
        condicoes.append(
            or_(Processo.solicitante_id == usuario.id, Processo.responsavel_id == usuario.id)
        )
    if atrasados:
        condicoes.append(and_(Processo.status.in_(ABERTOS), Processo.prazo < agora))
    if responsavel_id == 0:
        condicoes.append(Processo.responsavel_id.is_(None))
    elif responsavel_id is not None:
        condicoes.append(Processo.responsavel_id == responsavel_id)
    return and_(*condicoes)


async def colunas(
    session: AsyncSession, *, filtro: ColumnElement[bool], por_coluna: int
) -> tuple[list[Processo], dict[str, int]]:
    """Up to `por_coluna` processos of each status matching `filtro` (with their responsável),
    and how many match in each open status."""
    selects = []
    for status in STATUS:
        ordem = (
            (Processo.prazo.asc(), Processo.id.desc())
            if status in ABERTOS
            else (Processo.criado_em.desc(),)
        )
        selects.append(
            select(Processo.id)
            .where(filtro, Processo.status == status)
            .order_by(*ordem)
            .limit(por_coluna)
        )
    ids = union_all(*selects).subquery()
    stmt = (
        select(Processo)
        .where(Processo.id.in_(select(ids.c.id)))
        .options(joinedload(Processo.responsavel))
    )
    cartoes = list((await session.scalars(stmt)).unique())
    contagem = await session.execute(
        select(Processo.status, func.count())
        .where(filtro, Processo.status.in_(ABERTOS))
        .group_by(Processo.status)
    )
    return cartoes, {status: int(total) for status, total in contagem}
