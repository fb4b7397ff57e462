"""Queries on `contatos` (the CRM)."""

from __future__ import annotations

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.busca import prefixos, tsquery
from db.models import Contato, Processo, Usuario
from db.repositories import offset_seguro
from db.repositories.processos import visivel_para


async def por_id(session: AsyncSession, *, contato_id: int, travar: bool = False) -> Contato | None:
    """One contact (row-locked for an edit when `travar`)."""
    return await session.get(Contato, contato_id, with_for_update=travar or None)


async def homonimos(session: AsyncSession, *, nome: str) -> list[Contato]:
    """Contacts with this very name, whatever its case and accents."""
    stmt = select(Contato).where(
        func.lower(func.cogep_unaccent(Contato.nome)) == func.lower(func.cogep_unaccent(nome)),
        Contato.arquivado_em.is_(None),
    )
    return list(await session.scalars(stmt.limit(3)))


async def por_email(session: AsyncSession, *, email: str) -> Contato | None:
    """The contact with this address, ignoring case."""
    stmt = select(Contato).where(func.lower(Contato.email) == email.lower()).limit(1)
    return await session.scalar(stmt)


async def buscar(session: AsyncSession, *, texto: str, limite: int) -> list[Contato]:
    """Contacts whose name, company or e-mail match every word (prefixes, no accents)."""
    consulta = prefixos(texto)
    if consulta.vazia:
        return []
    query = tsquery(consulta, config="simple")
    # The stored vector is stemmed in portuguese; names are better matched unstemmed too.
    simples = func.to_tsvector(
        literal_column("'simple'"),
        func.cogep_unaccent(Contato.nome + " " + func.coalesce(Contato.empresa, "")),
    )
    stmt = (
        select(Contato)
        .where(or_(Contato.busca.op("@@")(query), simples.op("@@")(query)))
        .where(Contato.arquivado_em.is_(None))
        .order_by(func.lower(Contato.nome), Contato.id)
        .limit(limite)
    )
    return list(await session.scalars(stmt))


async def pagina(session: AsyncSession, *, offset: int, limite: int) -> list[Contato]:
    """Contacts by name (archived ones left out)."""
    stmt = (
        select(Contato)
        .where(Contato.arquivado_em.is_(None))
        .order_by(func.lower(Contato.nome), Contato.id)
    )
    return list(await session.scalars(stmt.offset(offset_seguro(offset)).limit(limite)))


async def processos_do_contato(
    session: AsyncSession, *, contato_id: int, usuario: Usuario, limite: int = 20
) -> list[Processo]:
    """The processos of a contact that the user may see, newest first."""
    stmt = (
        select(Processo)
        .where(Processo.contato_id == contato_id, visivel_para(usuario))
        .order_by(Processo.criado_em.desc())
        .limit(limite)
    )
    return list(await session.scalars(stmt))


async def processos_vinculados(session: AsyncSession, *, contato_id: int) -> int:
    """How many processos (anyone's) name this contact: such a contact is archived, not removed."""
    stmt = select(func.count()).select_from(Processo).where(Processo.contato_id == contato_id)
    return int(await session.scalar(stmt) or 0)


async def remover(session: AsyncSession, *, contato: Contato) -> None:
    """Delete the contact's row."""
    await session.delete(contato)
