"""The board's read of `processos`: a few cards per status column and the open columns' totals.

Scoped by `db.repositories.processos.visivel_para` like every other read. Shaped for 100,000
processos (bench/processos.py, board case), as one statement and one round trip: each column is
its own LIMITed select that an index serves — open columns walk the partial `prazo` index
(soonest deadline first, so what is late leads), closed ones walk `criado_em` backwards (newest
first) — and the open columns' totals ride along as rows of their own (`total` set), counted up
to `CONTAGEM_MAX` (a gestor's 12,000 open processos cost 13 ms to count in full, 1,000 of each
status still 12); counting the closed history would read the whole table on every opening.
A person's own board (`poucos`) reads their few hundred rows once instead. Rows are plain
`Cartao`s, not ORM objects: a card needs nine columns, not the description or the search vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ABERTOS, STATUS, Processo, Usuario
from db.repositories.processos import visivel_para
from db.repositories.usuarios import gerencia


@dataclass(frozen=True)
class Cartao:
    """What a card of the board shows."""

    id: int
    numero: str
    titulo: str
    status: str
    prioridade: str
    prazo: datetime | None
    criado_em: datetime
    solicitante_id: int
    responsavel_id: int | None
    responsavel: str | None  # the responsável's name

    @classmethod
    def de(cls, p: Processo) -> Cartao:
        """The card of a loaded processo (its responsável loaded too)."""
        return cls(
            id=p.id, numero=p.numero, titulo=p.titulo, status=p.status, prioridade=p.prioridade,
            prazo=p.prazo, criado_em=p.criado_em, solicitante_id=p.solicitante_id,
            responsavel_id=p.responsavel_id,
            responsavel=p.responsavel.nome if p.responsavel else None,
        )  # fmt: skip


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


CONTAGEM_MAX = 99  # beyond this an open column says "99+": 1,000 of a status cost 3-6 ms


def de_uma_pessoa(usuario: Usuario, meus: bool, responsavel_id: int | None) -> bool:
    """Whether the board's filter names one person's processos (a few hundred at most)."""
    return not gerencia(usuario) or meus or responsavel_id not in (None, 0)


_COLUNAS = (
    Processo.id, Processo.numero, Processo.titulo, Processo.status, Processo.prioridade,
    Processo.prazo, Processo.criado_em, Processo.solicitante_id, Processo.responsavel_id,
)  # fmt: skip


async def colunas(
    session: AsyncSession, *, filtro: ColumnElement[bool], por_coluna: int, poucos: bool
) -> tuple[list[Cartao], dict[str, int]]:
    """Up to `por_coluna` cards of each status matching `filtro`, and how many match in each
    open status (at most `CONTAGEM_MAX` + 1).

    `poucos`: the filter names a person (a membro's own, *Meus*, one responsável), a few
    hundred rows: read once through their indexes, then split, instead of walking the
    whole-table indexes once per column (bench, 100,000 processos: server p50 5.8 -> 0.9 ms).
    """
    fonte = select(*_COLUNAS).where(filtro).cte("visiveis") if poucos else None

    def de(status: str) -> tuple[Any, Any]:  # (the columns, the select) of one status
        if fonte is None:
            return Processo, select(*_COLUNAS).where(filtro, Processo.status == status)
        return fonte.c, select(*fonte.c).where(fonte.c.status == status)

    partes = []
    for status in STATUS:
        c, consulta = de(status)
        ordem = (c.prazo.asc(), c.id.desc()) if status in ABERTOS else (c.criado_em.desc(),)
        partes.append(
            consulta.add_columns(null().cast(Integer).label("total"))
            .order_by(*ordem)
            .limit(por_coluna)
        )
    for status in ABERTOS:  # counted up to CONTAGEM_MAX + 1: "99+" needs no more
        contados = de(status)[1].limit(CONTAGEM_MAX + 1).subquery()
        vazios = [
            literal(status).label(k.key) if k.key == "status" else null().cast(k.type).label(k.key)
            for k in _COLUNAS
        ]
        partes.append(
            select(*vazios, func.count().cast(Integer).label("total")).select_from(contados)
        )
    ordem_das_colunas = [k.key for k in _COLUNAS]
    linhas = union_all(*partes).subquery("linhas")
    stmt = select(linhas, Usuario.nome.label("responsavel")).outerjoin(
        Usuario, Usuario.id == linhas.c.responsavel_id
    )
    cartoes: list[Cartao] = []
    contagem: dict[str, int] = {}
    for linha in await session.execute(stmt):
        if linha.total is not None:
            contagem[linha.status] = linha.total
        else:
            campos = linha._mapping
            cartoes.append(Cartao(**{k: campos[k] for k in (*ordem_das_colunas, "responsavel")}))
    return cartoes, contagem
