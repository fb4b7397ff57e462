"""Queries on what replicas share: the mentor's queue (`mentor_fila`) and refused Bot API methods.

The queue's order is the ids' order within one (chat, person); `entrar` takes a transaction
advisory lock on that pair first, so two replicas queueing for the same person at once get ids
in the order they commit. A row whose heartbeat is older than `silencio_s` lost its process:
it holds nobody up and is swept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from db.models import RecursoDoServidor, VezDoMentor

CLASSE_DA_TRAVA = 0x6D656E74  # "ment": the advisory-lock space of the mentor's queue


@dataclass(frozen=True)
class Situacao:
    """Where one of this process's answers stands."""

    numero: int
    parar: bool
    vez: bool  # nothing of the same person is ahead of it


def _viva(silencio_s: float) -> ColumnElement[bool]:
    return VezDoMentor.vivo_em > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, silencio_s)


async def entrar(
    session: AsyncSession, *, chat_id: int, telegram_id: int, pergunta_id: int | None,
    silencio_s: float,
) -> tuple[int, int]:  # fmt: skip
    """In the caller's transaction: queue an answer; (its number, how many are ahead)."""
    chave = func.hashtext(literal(f"{chat_id}:{telegram_id}"))
    await session.execute(select(func.pg_advisory_xact_lock(CLASSE_DA_TRAVA, chave)))
    numero = await session.scalar(
        insert(VezDoMentor)
        .values(chat_id=chat_id, telegram_id=telegram_id, pergunta_id=pergunta_id)
        .returning(VezDoMentor.id)
    )
    assert numero is not None
    a_frente = await session.scalar(
        select(func.count())
        .select_from(VezDoMentor)
        .where(
            VezDoMentor.chat_id == chat_id,
            VezDoMentor.telegram_id == telegram_id,
            VezDoMentor.id < numero,
            _viva(silencio_s),
        )
    )
    return numero, int(a_frente or 0)


async def situacoes(
    conn: AsyncConnection, *, numeros: Sequence[int], silencio_s: float
) -> list[Situacao]:
    """Whether each of these answers was asked to stop, and whether its turn has come."""
    antes = aliased(VezDoMentor)
    a_frente = exists().where(
        antes.chat_id == VezDoMentor.chat_id,
        antes.telegram_id == VezDoMentor.telegram_id,
        antes.id < VezDoMentor.id,
        antes.vivo_em > func.now() - func.make_interval(0, 0, 0, 0, 0, 0, silencio_s),
    )
    linhas = await conn.execute(
        select(VezDoMentor.id, VezDoMentor.parar, ~a_frente).where(VezDoMentor.id.in_(numeros))
    )
    return [Situacao(numero, parar, vez) for numero, parar, vez in linhas]


async def renovar(conn: AsyncConnection, *, numeros: Sequence[int]) -> None:
    """The heartbeat of answers this process holds."""
    await conn.execute(
        update(VezDoMentor).where(VezDoMentor.id.in_(numeros)).values(vivo_em=func.now())
    )


async def sair(conn: AsyncConnection, *, numero: int) -> None:
    """The answer is over (finished, failed or stopped): the next one's turn."""
    await conn.execute(delete(VezDoMentor).where(VezDoMentor.id == numero))


async def largar(conn: AsyncConnection, *, numeros: Sequence[int]) -> None:
    """This process stops: its answers, waiting or running, leave the queue."""
    await conn.execute(delete(VezDoMentor).where(VezDoMentor.id.in_(numeros)))


async def varrer(conn: AsyncConnection, *, silencio_s: float) -> int:
    """Forget answers whose process went silent; how many."""
    resultado = await conn.execute(
        delete(VezDoMentor).where(
            VezDoMentor.vivo_em <= func.now() - func.make_interval(0, 0, 0, 0, 0, 0, silencio_s)
        )
    )
    return resultado.rowcount


async def pedir_parada(
    conn: AsyncConnection, *, chat_id: int, telegram_id: int, numero: int | None,
    silencio_s: float,
) -> int | None:  # fmt: skip
    """Ask the answer running for (chat, person) to stop (only `numero`, when given); its number."""
    primeira = (
        select(func.min(VezDoMentor.id))
        .where(
            VezDoMentor.chat_id == chat_id,
            VezDoMentor.telegram_id == telegram_id,
            _viva(silencio_s),
        )
        .scalar_subquery()
    )
    condicao = and_(VezDoMentor.id == primeira)
    if numero is not None:
        condicao = and_(condicao, VezDoMentor.id == numero)
    return await conn.scalar(
        update(VezDoMentor).where(condicao).values(parar=True).returning(VezDoMentor.id)
    )


async def dono_da_vez(conn: AsyncConnection, *, numero: int) -> tuple[int, int] | None:
    """(chat, person) of the answer with this number, if it is still queued or running."""
    linha = (
        await conn.execute(
            select(VezDoMentor.chat_id, VezDoMentor.telegram_id).where(VezDoMentor.id == numero)
        )
    ).first()
    return (linha[0], linha[1]) if linha is not None else None


# -- Bot API methods the server refused ------------------------------------------------------
async def recursos_recusados(conn: AsyncConnection) -> set[str]:
    """Every method the Bot API server answered as unknown."""
    return set(await conn.scalars(select(RecursoDoServidor.nome)))


async def recusar_recurso(conn: AsyncConnection, *, nome: str) -> None:
    """Remember that the server does not know `nome`."""
    await conn.execute(
        insert(RecursoDoServidor).values(nome=nome).on_conflict_do_nothing(index_elements=["nome"])
    )
