"""Queries on `usuarios`, and who is who: each rule once in Python and once in SQL, side by side.

    tem_acesso(u)  / com_acesso()       let in (`acesso = 'liberado'`)
    administra(u)  / administradores()  an admin with access: users, /aviso, every private limit
    gerencia(u)    / gestores()         a gestor or admin with access: sees and assigns every
                                        processo, hears about stale ones

Services and handlers read the rules through `bot.usuarios.regras`; queries use the SQL twins.
tests/test_usuarios_regras.py checks both forms agree for every papel and access.
"""

from __future__ import annotations

from typing import Any, Final, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import ReturningInsert

from db.busca import prefixos, tsquery
from db.models import Usuario

GESTAO: Final = ("gestor", "admin")  # the papéis that manage processos


def tem_acesso(usuario: Usuario) -> bool:
    """Let in: may use the bot at all."""
    return usuario.acesso == "liberado"


def administra(usuario: Usuario) -> bool:
    """An admin who is let in."""
    return tem_acesso(usuario) and usuario.papel == "admin"


def gerencia(usuario: Usuario) -> bool:
    """A gestor or admin who is let in."""
    return tem_acesso(usuario) and usuario.papel in GESTAO


def com_acesso() -> ColumnElement[bool]:
    """SQL twin of `tem_acesso`."""
    return Usuario.acesso == "liberado"


def administradores() -> ColumnElement[bool]:
    """SQL twin of `administra`."""
    return and_(com_acesso(), Usuario.papel == "admin")


def gestores() -> ColumnElement[bool]:
    """SQL twin of `gerencia`."""
    return and_(com_acesso(), Usuario.papel.in_(GESTAO))


async def por_id(session: AsyncSession, *, usuario_id: int, travar: bool = False) -> Usuario | None:
    """The user with this internal id (row-locked for a change when `travar`)."""
    return await session.get(Usuario, usuario_id, with_for_update=travar or None)


async def por_telegram_id(session: AsyncSession, *, telegram_id: int) -> Usuario | None:
    """The user with this Telegram id, if registered."""
    return await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))


_USUARIOS = cast(Table, Usuario.__table__)


def _registrar_statement() -> ReturningInsert[Any]:
    """The /start upsert, built once: the hottest statement of the bot.

    Core on the table, not the ORM: a prebuilt statement keeps its compiled form, and skipping
    the ORM's bulk-DML and loading machinery halves the CPU of a /start on the database side
    (measured 0.85 -> 0.45 ms per call); `registrar` turns the row into a detached `Usuario`.
    """
    stmt = insert(_USUARIOS).values(
        telegram_id=bindparam("telegram_id"),
        nome=bindparam("nome"),
        username=bindparam("username"),
        papel=bindparam("papel"),
        fuso_horario=bindparam("fuso_horario"),
        origem=bindparam("origem"),
        acesso=bindparam("acesso"),
    )
    promover = bindparam("promover", type_=Boolean)
    return stmt.on_conflict_do_update(
        index_elements=[_USUARIOS.c.telegram_id],
        set_={
            # The name is Telegram's only at sign-up: after that it is the user's (/perfil).
            "username": stmt.excluded.username,
            "ativo": True,
            "papel": case((promover, stmt.excluded.papel), else_=_USUARIOS.c.papel),
            # A configured admin is always let in; anyone else keeps the access they had.
            "acesso": case((promover, stmt.excluded.acesso), else_=_USUARIOS.c.acesso),
            "atualizado_em": func.now(),
        },
        # xmax is 0 only on a row this statement inserted: one round trip tells new from known.
    ).returning(*_USUARIOS.c, literal_column("xmax = 0", Boolean).label("novo"))


_REGISTRAR = _registrar_statement()
_COLUNAS = tuple(column.key for column in _USUARIOS.c)


async def registrar(
    connection: AsyncConnection,
    *,
    telegram_id: int,
    nome: str,
    username: str | None,
    papel: str,
    fuso_horario: str,
    origem: str | None,
    acesso: str,
    promover: bool,
) -> tuple[Usuario, bool]:
    """Insert the user, or refresh the known one (username, active; never the name); True if new."""
    params = {
        "acesso": acesso,
        "telegram_id": telegram_id,
        "nome": nome,
        "username": username,
        "papel": papel,
        "fuso_horario": fuso_horario,
        "origem": origem,
        "promover": promover,
    }
    row = (await connection.execute(_REGISTRAR, params)).one()._mapping
    usuario = Usuario(**{coluna: row[coluna] for coluna in _COLUNAS})
    make_transient_to_detached(usuario)  # as if loaded by a session that has since closed
    return usuario, bool(row["novo"])


async def atualizar(session: AsyncSession, *, telegram_id: int, **valores: Any) -> Usuario | None:
    """Set the given columns on the user and return the fresh row."""
    stmt = (
        update(Usuario)
        .where(Usuario.telegram_id == telegram_id)
        .values(**valores, atualizado_em=func.now())
        .returning(Usuario)
    )
    result = await session.execute(stmt, execution_options={"populate_existing": True})
    return result.scalar_one_or_none()


async def listar(
    session: AsyncSession, *, ativos: bool | None = None, so_com_acesso: bool = False
) -> list[Usuario]:
    """Users by name, optionally only active (or inactive) ones, optionally only those let in."""
    stmt = select(Usuario).order_by(func.lower(Usuario.nome), Usuario.id)
    if ativos is not None:
        stmt = stmt.where(Usuario.ativo.is_(ativos))
    if so_com_acesso:
        stmt = stmt.where(com_acesso())
    return list(await session.scalars(stmt))


async def admins_ativos(session: AsyncSession) -> list[Usuario]:
    """The admins (let in) who still accept messages."""
    stmt = select(Usuario).where(administradores(), Usuario.ativo.is_(True)).order_by(Usuario.id)
    return list(await session.scalars(stmt))


async def por_ids(session: AsyncSession, *, ids: list[int]) -> list[Usuario]:
    """The users with these internal ids."""
    return list(await session.scalars(select(Usuario).where(Usuario.id.in_(ids))))


async def por_username(session: AsyncSession, *, username: str) -> Usuario | None:
    """The user with this @username (case-insensitive)."""
    return await session.scalar(
        select(Usuario).where(func.lower(Usuario.username) == username.lower())
    )


async def por_nome(session: AsyncSession, *, nome: str, limite: int = 10) -> list[Usuario]:
    """Users whose name matches every word typed (prefixes, no accents, any case), by name."""
    consulta = prefixos(nome)
    if consulta.vazia:
        return []
    vetor = func.to_tsvector(literal_column("'simple'"), func.cogep_unaccent(Usuario.nome))
    stmt = (
        select(Usuario)
        .where(vetor.op("@@")(tsquery(consulta, config="simple")))
        .order_by(func.lower(Usuario.nome), Usuario.id)
        .limit(limite)
    )
    return list(await session.scalars(stmt))
