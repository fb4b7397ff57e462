"""Queries of /relatorio: counts, medians and weekly series over the processos a user may see.

Every statement is one aggregate pass scoped by `processos.visivel_para`, so a membro's report
is built from their own processos only (those they requested or own), never the team's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ABERTOS, PRAZO_CORRE, Processo, ProcessoEvento, Usuario
from db.repositories.processos import visivel_para


@dataclass(frozen=True)
class Totais:
    """The period's headline numbers."""

    abertos: int  # opened in the period
    concluidos: int  # concluded in the period
    atrasados: int  # open and past their prazo now
    por_status: dict[str, int]  # open ones now, by status
    resolucao_mediana: float | None  # seconds from opening to conclusion (concluded in period)


@dataclass(frozen=True)
class PorResponsavel:
    """One responsável's line (None: nobody owns them)."""

    nome: str | None
    abertos: int
    atrasados: int
    concluidos: int


def _segundos(intervalo: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.extract("epoch", intervalo)


async def totais(
    session: AsyncSession, *, usuario: Usuario, desde: datetime, agora: datetime
) -> Totais:
    """Opened, concluded and overdue counts, open ones by status, the median resolution time."""
    concluido_no_periodo = and_(Processo.status == "concluido", Processo.concluido_em >= desde)
    stmt = select(
        func.count().filter(Processo.criado_em >= desde),
        func.count().filter(concluido_no_periodo),
        func.count().filter(Processo.status.in_(PRAZO_CORRE), Processo.prazo < agora),
        *(func.count().filter(Processo.status == s) for s in ABERTOS),
        func.percentile_cont(0.5)
        .within_group(_segundos(Processo.concluido_em - Processo.criado_em))
        .filter(concluido_no_periodo),
    ).where(visivel_para(usuario))
    linha = (await session.execute(stmt)).one()
    abertos, concluidos, atrasados, *por_status, mediana = linha
    return Totais(
        abertos=abertos,
        concluidos=concluidos,
        atrasados=atrasados,
        por_status=dict(zip(ABERTOS, por_status, strict=True)),
        resolucao_mediana=mediana,
    )


async def primeira_resposta_mediana(
    session: AsyncSession, *, usuario: Usuario, desde: datetime
) -> float | None:
    """Median seconds from opening to the first response, over the processos opened in the
    period that got one: a status change, or any other event by someone but the solicitante."""
    resposta = (
        select(func.min(ProcessoEvento.criado_em))
        .where(
            ProcessoEvento.processo_id == Processo.id,
            ProcessoEvento.tipo != "criado",
            (ProcessoEvento.tipo == "status")
            | (ProcessoEvento.autor_id != Processo.solicitante_id),
        )
        .scalar_subquery()
    )
    primeiras = (
        select((_segundos(resposta - Processo.criado_em)).label("espera"))
        .where(visivel_para(usuario), Processo.criado_em >= desde)
        .subquery()
    )
    stmt = select(func.percentile_cont(0.5).within_group(primeiras.c.espera)).where(
        primeiras.c.espera.is_not(None)
    )
    valor = await session.scalar(stmt)
    return None if valor is None else float(valor)


async def por_semana(
    session: AsyncSession, *, usuario: Usuario, desde: datetime, zona: str
) -> tuple[dict[datetime, int], dict[datetime, int]]:
    """Opened and concluded per week (weeks starting Monday in `zona`), since `desde`."""

    def semanas(coluna: Any, *condicoes: Any) -> Any:
        semana = func.date_trunc("week", func.timezone(zona, coluna)).label("semana")
        return (
            select(semana, func.count())
            .where(visivel_para(usuario), coluna >= desde, *condicoes)
            .group_by(semana)
        )

    abertos = await session.execute(semanas(Processo.criado_em))
    concluidos = await session.execute(
        semanas(Processo.concluido_em, Processo.status == "concluido")
    )
    pares = [[(semana, n) for semana, n in r.all()] for r in (abertos, concluidos)]
    return dict(pares[0]), dict(pares[1])


async def por_responsavel(
    session: AsyncSession, *, usuario: Usuario, desde: datetime, agora: datetime, limite: int
) -> list[PorResponsavel]:
    """Per responsável: open now, overdue now, concluded in the period; busiest first."""
    aberto = Processo.status.in_(ABERTOS)
    abertos = func.count().filter(aberto)
    stmt = (
        select(
            Usuario.nome,
            abertos,
            func.count().filter(Processo.status.in_(PRAZO_CORRE), Processo.prazo < agora),
            func.count().filter(Processo.status == "concluido", Processo.concluido_em >= desde),
        )
        .select_from(Processo)
        .outerjoin(Usuario, Usuario.id == Processo.responsavel_id)
        .where(visivel_para(usuario), aberto | (Processo.concluido_em >= desde))
        .group_by(Processo.responsavel_id, Usuario.nome)
        .order_by(literal_column("3").desc(), abertos.desc(), Usuario.nome)
        .limit(limite)
    )
    return [PorResponsavel(*linha) for linha in await session.execute(stmt)]
