"""Queries on the `notificacoes` outbox, `lembretes` and `avisos`.

The outbox statements are the delivery protocol (bot.notificacoes.entrega):

    inserir          write rows in the caller's transaction; a known `chave` is skipped
    reivindicar      claim due rows with FOR UPDATE SKIP LOCKED, so replicas never share one;
                     the claim's arrendamento is written into `devido_em`
    concluir         record one row's outcome (sent, retry later, failed, discarded)
    bloqueou         the one rule for a user who blocked the bot (inactive, pending dropped)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from db.models import (
    PRAZO_CORRE,
    Aviso,
    Lembrete,
    Notificacao,
    Processo,
    ProcessoEvento,
    Usuario,
)
from db.repositories.usuarios import administradores, com_acesso, gestores

Linha = dict[str, Any]


async def inserir(session: AsyncSession, *, linhas: Sequence[Linha]) -> int:
    """Insert outbox rows; one whose `chave` exists is left alone. How many were new."""
    if not linhas:
        return 0
    stmt = (
        insert(Notificacao)
        .values(list(linhas))
        .on_conflict_do_nothing(index_elements=[Notificacao.chave])
        .returning(Notificacao.id)
    )
    return len((await session.execute(stmt)).all())


async def reivindicar(
    session: AsyncSession, *, agora: datetime, ate: datetime, limite: int
) -> list[Notificacao]:
    """Claim up to `limite` due rows (replies first), held (arrendamento) until `ate`.

    Only a chat's oldest *due* row can be claimed, so a chat's due notices arrive in order
    whichever replica sends them (and a chat gets one at a time: its pace is 1/s anyway). A row
    in flight (`enviando`) holds the chat's later rows; a row not due yet (held for quiet
    hours, or backing off) never does.
    """
    anterior = aliased(Notificacao)
    na_frente = (
        select(anterior.id)
        .where(
            anterior.chat_id == Notificacao.chat_id,
            anterior.id < Notificacao.id,
            or_(
                anterior.status == "enviando",
                and_(anterior.status == "pendente", anterior.devido_em <= agora),
            ),
        )
        .exists()
    )
    devidas = (
        select(Notificacao.id)
        .where(
            Notificacao.status.in_(("pendente", "enviando")),
            Notificacao.devido_em <= agora,
            ~na_frente,
        )
        .order_by(Notificacao.prioridade, Notificacao.devido_em, Notificacao.id)
        .limit(limite)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(Notificacao)
        .where(Notificacao.id.in_(devidas.scalar_subquery()))
        .values(status="enviando", devido_em=ate)
        .returning(Notificacao)
    )
    result = await session.execute(stmt, execution_options={"populate_existing": True})
    return sorted(result.scalars(), key=lambda n: (n.prioridade, n.id))


async def concluir(session: AsyncSession, *, notificacao_id: int, **valores: Any) -> None:
    """Record the outcome of one claimed row (status, devido_em, tentativas, motivo...)."""
    await session.execute(
        update(Notificacao).where(Notificacao.id == notificacao_id).values(**valores)
    )


async def bloqueou(session: AsyncSession, *, telegram_id: int, motivo: str) -> int:
    """The user blocked the bot: inactive (until they write again), their pending rows dropped."""
    await session.execute(
        update(Usuario)
        .where(Usuario.telegram_id == telegram_id)
        .values(ativo=False, atualizado_em=func.now())
    )
    result = await session.execute(
        update(Notificacao)
        .where(Notificacao.chat_id == telegram_id, Notificacao.status == "pendente")
        .values(status="descartada", motivo=motivo)
        .returning(Notificacao.id)
    )
    return len(result.all())


async def contagem(
    session: AsyncSession, *, aviso_id: int | None = None, desde: datetime | None = None,
    ate: datetime | None = None,
) -> dict[str, int]:  # fmt: skip
    """Rows by status, for one announcement or for a period (by creation)."""
    stmt = select(Notificacao.status, func.count()).group_by(Notificacao.status)
    if aviso_id is not None:
        stmt = stmt.where(Notificacao.aviso_id == aviso_id)
    if desde is not None:
        stmt = stmt.where(Notificacao.criado_em >= desde)
    if ate is not None:
        stmt = stmt.where(Notificacao.criado_em < ate)
    return {status: int(n) for status, n in (await session.execute(stmt)).all()}


async def motivos(session: AsyncSession, *, aviso_id: int) -> dict[str, int]:
    """Why rows of an announcement were not sent."""
    stmt = (
        select(Notificacao.motivo, func.count())
        .where(Notificacao.aviso_id == aviso_id, Notificacao.motivo.is_not(None))
        .group_by(Notificacao.motivo)
    )
    return {str(m): int(n) for m, n in (await session.execute(stmt)).all()}


def _leitores_do_aviso(autor_id: int) -> ColumnElement[bool]:
    """Everyone let in and active, but the author."""
    return and_(Usuario.ativo.is_(True), com_acesso(), Usuario.id != autor_id)


async def contar_leitores_do_aviso(session: AsyncSession, *, autor_id: int) -> int:
    """How many people an announcement by `autor_id` would reach."""
    stmt = select(func.count()).select_from(Usuario).where(_leitores_do_aviso(autor_id))
    return int(await session.scalar(stmt) or 0)


async def enfileirar_aviso(
    session: AsyncSession, *, aviso: Aviso, html: str, prioridade: int, devido_em: datetime
) -> int:
    """One outbox row per reader (`aviso:<id>:<usuario>`), in one INSERT ... SELECT; a row
    already there is left alone. How many were written."""
    linhas = select(
        literal(f"aviso:{aviso.id}:") + cast(Usuario.id, String),
        literal("aviso"),
        Usuario.id,
        Usuario.telegram_id,
        literal(html),
        literal(prioridade),
        literal(devido_em),
        literal(aviso.id),
    ).where(_leitores_do_aviso(aviso.autor_id))
    colunas = ["chave", "tipo", "usuario_id", "chat_id", "texto", "prioridade", "devido_em",
               "aviso_id"]  # fmt: skip
    stmt = (
        insert(Notificacao)
        .from_select(colunas, linhas)
        .on_conflict_do_nothing(index_elements=[Notificacao.chave])
    )
    resultado = await session.execute(stmt)
    return int(getattr(resultado, "rowcount", 0) or 0)


async def descartar_aviso(session: AsyncSession, *, aviso_id: int, motivo: str) -> int:
    """Drop an announcement's rows nobody has claimed yet."""
    result = await session.execute(
        update(Notificacao)
        .where(and_(Notificacao.aviso_id == aviso_id, Notificacao.status == "pendente"))
        .values(status="descartada", motivo=motivo)
        .returning(Notificacao.id)
    )
    return len(result.all())


# -- lembretes ---------------------------------------------------------------------------------


async def lembretes_devidos(
    session: AsyncSession, *, agora: datetime, limite: int
) -> list[Lembrete]:
    """Active reminders whose time has come, oldest first, locked for this scheduler."""
    stmt = (
        select(Lembrete)
        .where(Lembrete.status == "ativo", Lembrete.quando <= agora)
        .order_by(Lembrete.quando)
        .limit(limite)
        .with_for_update(skip_locked=True)
        .options(selectinload(Lembrete.processo))
    )
    return list(await session.scalars(stmt))


async def lembretes_ativos(session: AsyncSession, *, usuario_id: int) -> list[Lembrete]:
    """A user's active reminders, soonest first."""
    stmt = (
        select(Lembrete)
        .where(Lembrete.usuario_id == usuario_id, Lembrete.status == "ativo")
        .order_by(Lembrete.quando, Lembrete.id)
        .options(joinedload(Lembrete.processo))
    )
    return list(await session.scalars(stmt))


async def contar_lembretes(session: AsyncSession, *, usuario_id: int) -> int:
    """How many active reminders the user has."""
    n = await session.scalar(
        select(func.count())
        .select_from(Lembrete)
        .where(Lembrete.usuario_id == usuario_id, Lembrete.status == "ativo")
    )
    return int(n or 0)


async def lembrete(
    session: AsyncSession, *, usuario_id: int, lembrete_id: int, travar: bool = False
) -> Lembrete | None:
    """One of the user's reminders (nobody else's)."""
    stmt = (
        select(Lembrete)
        .where(Lembrete.id == lembrete_id, Lembrete.usuario_id == usuario_id)
        .options(selectinload(Lembrete.processo))
    )
    if travar:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


# -- avisos ------------------------------------------------------------------------------------


async def aviso(session: AsyncSession, *, aviso_id: int, travar: bool = False) -> Aviso | None:
    """One announcement."""
    return await session.get(Aviso, aviso_id, with_for_update=travar or None)


async def avisos_enviando(session: AsyncSession) -> list[Aviso]:
    """Announcements still being sent (their progress reporter may need restarting)."""
    return list(await session.scalars(select(Aviso).where(Aviso.status == "enviando")))


# -- what the scheduler looks for ---------------------------------------------------------------

ABERTOS = ("aberto", "em_andamento", "aguardando")


async def chaves_existentes(session: AsyncSession, *, chaves: Sequence[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox."""
    if not chaves:
        return set()
    stmt = select(Notificacao.chave).where(Notificacao.chave.in_(list(chaves)))
    return set(await session.scalars(stmt))


async def prazos_proximos(
    session: AsyncSession, *, ate: datetime, desde: datetime
) -> list[Processo]:
    """Open processos due before `ate` (and not before `desde`), with their people; not those
    waiting for the client, whose clock is paused (`PRAZO_CORRE`)."""
    stmt = (
        select(Processo)
        .where(
            Processo.status.in_(PRAZO_CORRE),
            Processo.prazo.is_not(None),
            Processo.prazo <= ate,
            Processo.prazo >= desde,
        )
        .options(joinedload(Processo.solicitante), joinedload(Processo.responsavel))
        .order_by(Processo.prazo)
    )
    return list((await session.scalars(stmt)).unique())


def _hora_local(agora: datetime) -> ColumnElement[Any]:
    return func.extract("hour", func.timezone(Usuario.fuso_horario, agora))


def _quer_o_diario(tipo: str) -> ColumnElement[bool]:
    """Who receives each daily notice: the digest to who wants it, the stale list to gestores,
    the health line to admins (each switched on)."""
    if tipo == "resumo":
        return Usuario.notif_resumo.is_(True)
    if tipo == "parados":
        return and_(gestores(), Usuario.notif_parados.is_(True))
    if tipo == "saude":
        return and_(administradores(), Usuario.notif_saude.is_(True))
    raise ValueError(f"unknown daily notice: {tipo!r}")


async def na_hora_do_resumo(
    session: AsyncSession, *, agora: datetime, tipo: str, prefixo: str, janela: int
) -> list[tuple[Usuario, int]]:
    """Users who receive the daily notice `tipo` (resumo, parados, saude) and whose digest hour
    passed less than `janela` hours ago (local), with how many hours ago, and who have no
    `<prefixo>:<id>:<local date>` notice yet."""
    atraso = (_hora_local(agora) - Usuario.hora_resumo + 24) % 24
    data_local = func.to_char(func.timezone(Usuario.fuso_horario, agora), "YYYY-MM-DD")
    chave = literal(f"{prefixo}:") + cast(Usuario.id, String) + literal(":") + data_local
    existe = select(Notificacao.id).where(Notificacao.chave == chave).exists()
    stmt = (
        select(Usuario, atraso)
        .where(
            Usuario.ativo.is_(True),
            com_acesso(),
            Usuario.notificacoes_ativas.is_(True),
            atraso < janela,
            # Only people who were here at their hour: a newcomer's first digest is tomorrow's,
            # not one "late because Cogep was down" minutes after /start.
            Usuario.criado_em
            <= func.date_trunc("hour", agora)
            - func.make_interval(0, 0, 0, 0, cast(atraso, Integer)),
            _quer_o_diario(tipo),
            ~existe,
        )
        .order_by(Usuario.id)
    )
    return [(u, int(h)) for u, h in (await session.execute(stmt)).all()]


async def abertos_de(session: AsyncSession, *, usuario_id: int, limite: int) -> list[Processo]:
    """Open processos the user owns or (with nobody assigned) requested: overdue first."""
    stmt = (
        select(Processo)
        .where(
            Processo.status.in_(ABERTOS),
            or_(
                Processo.responsavel_id == usuario_id,
                and_(Processo.responsavel_id.is_(None), Processo.solicitante_id == usuario_id),
            ),
        )
        .order_by(Processo.prazo.asc().nulls_last(), Processo.id)
        .limit(limite)
    )
    return list(await session.scalars(stmt))


async def parados(
    session: AsyncSession, *, antes_de: datetime, limite: int
) -> list[tuple[Processo, datetime]]:
    """Open processos whose latest event is older than `antes_de`, stalest first."""
    ultimo = func.max(ProcessoEvento.criado_em).label("ultimo")
    recentes = (
        select(ProcessoEvento.processo_id, ultimo).group_by(ProcessoEvento.processo_id).subquery()
    )
    stmt = (
        select(Processo, recentes.c.ultimo)
        .join(recentes, recentes.c.processo_id == Processo.id)
        .where(Processo.status.in_(ABERTOS), recentes.c.ultimo < antes_de)
        .options(joinedload(Processo.responsavel))
        .order_by(recentes.c.ultimo)
        .limit(limite)
    )
    return [(p, u) for p, u in (await session.execute(stmt)).unique().all()]
