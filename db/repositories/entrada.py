"""Queries on the inbox (`updates_recebidos`).

Inbox statements run on a Core connection in autocommit (`Sessions.connect()`): each is one
round trip, and `admitir` takes a whole getUpdates batch at once. `efetivar` is the exception:
it runs inside the caller's transaction, next to the change it vouches for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Text, bindparam, delete, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import REFERENCIA_MAX, UpdateRecebido

_ADMITIR = text(
    "INSERT INTO updates_recebidos (update_id, dados, dono) "
    "SELECT u.id, u.dados, CAST(:dono AS integer) "
    "FROM unnest(:ids, CAST(:dados AS jsonb[])) AS u (id, dados) "
    "ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)), bindparam("dados", type_=ARRAY(Text)))
CLASSE_PRESENCA = 0x636F6770  # "cogp": the advisory-lock space of the processes' presence
# Nobody owns the row, or its owner no longer holds its presence lock in this database: dead.
_SEM_DONO_VIVO = text(
    "(updates_recebidos.dono IS NULL OR NOT EXISTS (SELECT 1 FROM pg_locks AS l "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.classid::bigint = :classe AND l.objid::bigint = updates_recebidos.dono "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))"
).bindparams(classe=CLASSE_PRESENCA)


@dataclass(frozen=True)
class Pendente:
    """An update received but not handled when the bot stopped."""

    update_id: int
    dados: dict[str, Any]
    efetivado: bool  # an attempt before the crash committed its change...
    referencia: str | None  # ... and named it so
    tentativas: int


async def admitir(
    conn: AsyncConnection, *, lote: Sequence[tuple[int, dict[str, Any]]], dono: int | None = None
) -> set[int]:
    """Store `(update_id, update)` pairs owned by process `dono`; the ids that were new (a
    second copy is ignored)."""
    if not lote:
        return set()
    resultado = await conn.execute(
        _ADMITIR,
        {"ids": [uid for uid, _ in lote], "dados": [json.dumps(d) for _, d in lote], "dono": dono},
    )
    return set(resultado.scalars())


async def concluir(conn: AsyncConnection, *, ids: Sequence[int]) -> None:
    """Mark these updates handled."""
    await conn.execute(
        update(UpdateRecebido)
        .where(UpdateRecebido.update_id.in_(ids), UpdateRecebido.concluido_em.is_(None))
        .values(concluido_em=text("now()"))
    )


async def efetivar(session: AsyncSession, *, update_id: int, referencia: str | None) -> bool:
    """In the caller's transaction: record that this update's change is being made.

    False when an earlier attempt already made it (committed); True otherwise, including when
    the update is not in the inbox at all (it never came through Telegram).
    """
    marcado = await session.scalar(
        update(UpdateRecebido)
        .where(UpdateRecebido.update_id == update_id, UpdateRecebido.efetivado_em.is_(None))
        .values(efetivado_em=text("now()"), referencia=(referencia or "")[:REFERENCIA_MAX] or None)
        .returning(UpdateRecebido.update_id)
    )
    if marcado is not None:
        return True
    existe = await session.scalar(
        select(UpdateRecebido.update_id).where(UpdateRecebido.update_id == update_id)
    )
    return existe is None


async def situacao(conn: AsyncConnection, *, update_id: int) -> tuple[bool, str | None]:
    """(whether the update's change was committed, its reference)."""
    linha = (
        await conn.execute(
            select(UpdateRecebido.efetivado_em, UpdateRecebido.referencia).where(
                UpdateRecebido.update_id == update_id
            )
        )
    ).first()
    if linha is None:
        return False, None
    return linha.efetivado_em is not None, linha.referencia


async def pendentes(conn: AsyncConnection, *, dono: int | None = None) -> list[Pendente]:
    """Every update not handled yet whose owner died (or that has none), oldest first, taken
    over by process `dono` and counting this as one more attempt."""
    linhas = await conn.execute(
        update(UpdateRecebido)
        .where(
            UpdateRecebido.concluido_em.is_(None),
            _SEM_DONO_VIVO,
        )
        .values(tentativas=UpdateRecebido.tentativas + 1, dono=dono)
        .returning(
            UpdateRecebido.update_id,
            UpdateRecebido.dados,
            UpdateRecebido.efetivado_em,
            UpdateRecebido.referencia,
            UpdateRecebido.tentativas,
        )
    )
    itens = [
        Pendente(r.update_id, r.dados, r.efetivado_em is not None, r.referencia, r.tentativas)
        for r in linhas
    ]
    return sorted(itens, key=lambda p: p.update_id)


async def podar(conn: AsyncConnection, *, antes_de: datetime) -> int:
    """Forget updates received before `antes_de` (Telegram itself keeps them 24 h)."""
    resultado = await conn.execute(
        delete(UpdateRecebido).where(UpdateRecebido.recebido_em < antes_de)
    )
    return resultado.rowcount
