"""Queries on `processos` and `processo_eventos`, always scoped to what the caller may see.

`visivel_para(usuario)` is the one definition of visibility: a membro sees what they requested
or own; gestores and admins see everything. Every read below takes it, so nothing leaks through
a forgotten filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from db.busca import prefixos, tsquery
from db.models import (
    ABERTOS,
    PRAZO_CORRE,
    PRIORIDADES,
    Contato,
    Processo,
    ProcessoEvento,
    Usuario,
)
from db.repositories import offset_seguro
from db.repositories.usuarios import gerencia, tem_acesso


def visivel_para(usuario: Usuario) -> ColumnElement[bool]:
    """The SQL condition for the processos `usuario` may see."""
    if not tem_acesso(usuario):  # the handlers stop them first; this is the second wall
        return false()
    if gerencia(usuario):  # gestores and admins see every processo
        return true()
    return or_(Processo.solicitante_id == usuario.id, Processo.responsavel_id == usuario.id)


def _com_pessoas(stmt: Select[Processo]) -> Select[Processo]:
    return stmt.options(
        joinedload(Processo.solicitante),
        joinedload(Processo.responsavel),
        joinedload(Processo.contato),
    )


async def proxima_sequencia(session: AsyncSession) -> int:
    """The next number from the sequence: unique under concurrency, gaps allowed."""
    value = await session.scalar(select(func.nextval("processos_sequencia_seq")))
    assert value is not None
    return int(value)


async def por_id(
    session: AsyncSession, *, usuario: Usuario, processo_id: int, travar: bool = False
) -> Processo | None:
    """One processo the user may see, with its people; `travar` locks the row for update."""
    stmt = _com_pessoas(select(Processo).where(Processo.id == processo_id, visivel_para(usuario)))
    if travar:
        stmt = stmt.with_for_update(of=Processo)
    return (await session.scalars(stmt)).unique().one_or_none()


async def por_numero(
    session: AsyncSession, *, usuario: Usuario, sequencia: int, ano: int | None
) -> Processo | None:
    """The processo with this sequence (and year, when given) that the user may see."""
    stmt = select(Processo).where(Processo.sequencia == sequencia, visivel_para(usuario))
    if ano is not None:
        stmt = stmt.where(Processo.numero.startswith(f"{ano}-"))
    return (await session.scalars(_com_pessoas(stmt))).unique().one_or_none()


async def pagina(
    session: AsyncSession,
    *,
    usuario: Usuario,
    filtro: str,
    agora: datetime,
    offset: int,
    limite: int,
    responsavel_id: int | None = None,
) -> list[Processo]:
    """A page of the processos the user may see, by filter: the open ones (abertos, atrasados)
    most urgent first (`urgencia`), the history views (concluidos, todos) newest first."""
    stmt, order = _filtrado(select(Processo), usuario, filtro, agora, responsavel_id)
    stmt = _com_pessoas(stmt.order_by(*order).offset(offset_seguro(offset)).limit(limite))
    return list((await session.scalars(stmt)).unique())


_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def _filtrado(
    stmt: _S, usuario: Usuario, filtro: str, agora: datetime, responsavel_id: int | None
) -> tuple[_S, Sequence[Any]]:
    """`stmt` limited to what the user sees under /processos' filter, and the list's order."""
    stmt = stmt.where(visivel_para(usuario))
    order: Sequence[Any] = (Processo.criado_em.desc(), Processo.id.desc())  # the history views
    if filtro == "abertos":
        stmt = stmt.where(Processo.status.in_(ABERTOS))
        order = urgencia()
    elif filtro == "atrasados":
        stmt = stmt.where(Processo.status.in_(ABERTOS), Processo.prazo < agora)
        stmt = stmt.where(Processo.status.in_(PRAZO_CORRE))  # aguardando: its clock is paused
        order = urgencia()
    elif filtro == "concluidos":  # cancelled ones were not concluded: they show under "todos"
        stmt = stmt.where(Processo.status == "concluido")
    if responsavel_id == 0:  # nobody yet
        stmt = stmt.where(Processo.responsavel_id.is_(None))
    elif responsavel_id is not None:
        stmt = stmt.where(Processo.responsavel_id == responsavel_id)
    return stmt, order


@dataclass(frozen=True)
class LinhaExportada:
    """One processo as /exportar writes it: plain values, no ORM object."""

    numero: str
    titulo: str
    status: str
    prioridade: str
    solicitante: str
    responsavel: str | None
    contato: str | None
    prazo: datetime | None
    criado_em: datetime
    concluido_em: datetime | None
    descricao: str | None


async def para_exportar(
    session: AsyncSession,
    *,
    usuario: Usuario,
    filtro: str,
    agora: datetime,
    limite: int,
    responsavel_id: int | None = None,
) -> list[LinhaExportada]:
    """Every processo a /processos filter shows the user (up to `limite`), in its order, as
    plain rows: one statement, names joined in, no ORM objects to build."""
    solicitante, responsavel = aliased(Usuario), aliased(Usuario)
    colunas = select(
        Processo.numero, Processo.titulo, Processo.status, Processo.prioridade,
        solicitante.nome, responsavel.nome, Contato.nome, Processo.prazo, Processo.criado_em,
        Processo.concluido_em, Processo.descricao,
    )  # fmt: skip
    stmt, order = _filtrado(colunas, usuario, filtro, agora, responsavel_id)
    stmt = (
        stmt.join(solicitante, solicitante.id == Processo.solicitante_id)
        .outerjoin(responsavel, responsavel.id == Processo.responsavel_id)
        .outerjoin(Contato, Contato.id == Processo.contato_id)
        .order_by(*order)
        .limit(limite)
    )
    return [LinhaExportada(*linha) for linha in await session.execute(stmt)]


def urgencia() -> tuple[Any, ...]:
    """The order of the open ones: by prazo (so the overdue lead; none last), then priority
    (urgente first), then the newest. It starts with the partial index on open prazos, so a
    page of a gestor's thousands of open processos reads a few index entries, not a sort."""
    prioridade = case(
        {p: i for i, p in enumerate(reversed(PRIORIDADES))}, value=Processo.prioridade, else_=9
    )
    return (
        Processo.prazo.asc().nulls_last(),
        prioridade,
        Processo.criado_em.desc(),
        Processo.id.desc(),
    )


async def entrou_em(session: AsyncSession, *, processo_id: int, status: str) -> datetime | None:
    """When the processo last moved to `status` (from its history), or None."""
    stmt = (
        select(ProcessoEvento.criado_em)
        .where(
            ProcessoEvento.processo_id == processo_id,
            ProcessoEvento.tipo == "status",
            ProcessoEvento.para == status,
        )
        .order_by(ProcessoEvento.id.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


JANELA_RECENTE = 1000  # gestores: look for matches among the newest processos first


async def buscar(
    session: AsyncSession, *, usuario: Usuario, texto: str, sequencia: int | None, limite: int
) -> list[Processo]:
    """Processos matching every word of `texto` (as prefixes, `db.busca`) in number, title,
    description, a comment or their contact; and the processo of number `sequencia`.

    Visibility decides the plan. A membro sees a few hundred processos, so those are read first
    and matched one by one. A gestor sees everything, and a common word can match a third of a
    large table: reading and ranking every match is what costs, so the best matches among the
    newest `JANELA_RECENTE` processos answer when there are enough of them, and the full index
    search runs only for words too rare for that (and rare words are cheap to look up).
    """
    query = tsquery(prefixos(texto))
    # The contacts the words name, looked up first: as literal ids the processo index serves
    # them, where a subquery made the planner scan every processo (measured 6 -> 28 ms p95).
    contatos = list(
        await session.scalars(select(Contato.id).where(Contato.busca.op("@@")(query)).limit(50))
    )
    if gerencia(usuario):
        ids = await _ids_encontrados(session, query, contatos, limite=limite, janela=JANELA_RECENTE)
        if len(ids) < limite:
            ids = await _ids_encontrados(session, query, contatos, limite=limite, janela=None)
    else:
        ids = await _ids_encontrados(session, query, contatos, limite=limite, usuario=usuario)
    if sequencia is not None:
        exato = await session.scalar(
            select(Processo.id).where(Processo.sequencia == sequencia, visivel_para(usuario))
        )
        ids = [exato, *ids] if exato is not None else ids
    if not ids:
        return []
    stmt = select(Processo).where(Processo.id.in_(ids[: limite + 1]))
    achados = {p.id: p for p in (await session.scalars(_com_pessoas(stmt))).unique()}
    ordem = list(dict.fromkeys(ids))[:limite]
    return [achados[i] for i in ordem if i in achados]


async def _ids_encontrados(
    session: AsyncSession,
    query: ColumnElement[Any],
    contatos: list[int],
    *,
    limite: int,
    janela: int | None = None,
    usuario: Usuario | None = None,
) -> list[int]:
    """Ids of the best matches (rank, then newest) among a candidate set of processos."""
    candidatos = select(Processo.id, Processo.busca, Processo.criado_em, Processo.contato_id)
    if usuario is not None:
        candidatos = candidatos.where(visivel_para(usuario))
    elif janela is not None:
        candidatos = candidatos.order_by(Processo.criado_em.desc()).limit(janela)
    else:
        fontes = [
            select(Processo.id).where(Processo.busca.op("@@")(query)),
            select(ProcessoEvento.processo_id).where(
                ProcessoEvento.tipo == "comentario", ProcessoEvento.busca.op("@@")(query)
            ),
        ]
        if contatos:
            fontes.append(select(Processo.id).where(Processo.contato_id.in_(contatos)))
        hits = union(*fontes).subquery()
        candidatos = candidatos.where(Processo.id.in_(select(hits.c.id)))
    c = candidatos.subquery("candidatos")
    comentado = (
        select(ProcessoEvento.id)
        .where(
            ProcessoEvento.processo_id == c.c.id,
            ProcessoEvento.tipo == "comentario",
            ProcessoEvento.busca.op("@@")(query),
        )
        .exists()
    )
    stmt = (
        select(c.c.id)
        .where(
            or_(
                c.c.busca.op("@@")(query),
                comentado,
                c.c.contato_id.in_(contatos) if contatos else false(),
            )
        )
        .order_by(func.ts_rank(c.c.busca, query).desc(), c.c.criado_em.desc())
        .limit(limite)
    )
    return list(await session.scalars(stmt))


async def eventos(
    session: AsyncSession, *, processo_id: int, limite: int = 15
) -> tuple[list[ProcessoEvento], int]:
    """The latest events of a processo, oldest first, with their authors; and how many exist."""
    stmt = (
        select(ProcessoEvento, func.count().over())
        .options(joinedload(ProcessoEvento.autor))
        .where(ProcessoEvento.processo_id == processo_id)
        .order_by(ProcessoEvento.id.desc())
        .limit(limite)
    )
    linhas = list(await session.execute(stmt))
    total = int(linhas[0][1]) if linhas else 0
    return [evento for evento, _ in reversed(linhas)], total


async def ultima_versao(session: AsyncSession, *, processo_id: int) -> int:
    """The id of the latest event: the version buttons carry to detect stale screens."""
    value = await session.scalar(
        select(func.max(ProcessoEvento.id)).where(ProcessoEvento.processo_id == processo_id)
    )
    return int(value or 0)


def registrar_evento(
    session: AsyncSession,
    *,
    processo: Processo,
    autor: Usuario | None,
    tipo: str,
    de: str | None = None,
    para: str | None = None,
    texto: str | None = None,
) -> ProcessoEvento:
    """Append one history row in the caller's transaction."""
    evento = ProcessoEvento(
        processo_id=processo.id,
        autor_id=autor.id if autor else None,
        tipo=tipo,
        de=de,
        para=para,
        texto=texto,
    )
    session.add(evento)
    return evento
