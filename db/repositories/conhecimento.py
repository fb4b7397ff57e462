"""Queries on `documentos` and `trechos`, scoped by `visivel_para` like every other read.

visivel_para(usuario)   the one visibility rule: team-wide documents, and one's own private
                        ones (an admin does not read other people's private documents);
                        `so_da_equipe=True` narrows it to team-wide ones, for a group, where
                        everyone reads what is shown, whoever asked
por_id / pagina / trecho_visivel       reads for /documentos and 'ver mais'
buscar / palavras_que_casam            full-text search and the words to highlight
reivindicar / retomaveis / em_andamento  the ingestion queue's claims (fencing by tentativas)
gravar_trechos          the bulk insert (COPY) of a document's chunks
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    delete,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.busca import Consulta, tsquery
from db.models import Documento, Trecho, Usuario
from db.models.conhecimento import EM_ANDAMENTO
from db.repositories import offset_seguro
from db.repositories.usuarios import administra, tem_acesso

JANELA = 1000  # matches ranked per search: a very common word is ranked among the first 1000


def visivel_para(usuario: Usuario, *, so_da_equipe: bool = False) -> ColumnElement[bool]:
    """The SQL condition for the documents `usuario` may see (only team-wide ones when
    `so_da_equipe`: what every member of a group may see)."""
    if not tem_acesso(usuario):
        return false()
    if so_da_equipe:
        return not_(Documento.privado)
    return or_(not_(Documento.privado), Documento.enviado_por_id == usuario.id)


def falhas_visiveis_para(usuario: Usuario) -> ColumnElement[bool]:
    """A failed ingestion is news for its sender (and the admins), not a document of the team:
    nobody else sees it listed, nor the address it tried."""
    if administra(usuario):
        return literal(True)
    return or_(Documento.status != "falhou", Documento.enviado_por_id == usuario.id)


async def apagar_falhas_anteriores(session: AsyncSession, *, documento: Documento) -> None:
    """Drop the sender's earlier failed tries of the same content (same address or path, same
    hash, or the same file name and size), so a retried failure is listed once."""
    mesmo = [Documento.referencia == documento.referencia]
    if documento.sha256 is not None:
        mesmo.append(Documento.sha256 == documento.sha256)
    if documento.nome_arquivo is not None and documento.tamanho is not None:
        mesmo.append(
            and_(
                Documento.nome_arquivo == documento.nome_arquivo,
                Documento.tamanho == documento.tamanho,
            )
        )
    dono = (
        Documento.enviado_por_id.is_(None)
        if documento.enviado_por_id is None
        else Documento.enviado_por_id == documento.enviado_por_id
    )
    await session.execute(
        delete(Documento).where(
            Documento.status == "falhou", Documento.id != documento.id, dono, or_(*mesmo)
        )
    )


def _tsquery(consulta: Consulta) -> ColumnElement[Any]:
    """The SQL tsquery, folded as the indexed side is: `cogep_lexico`, then the stemmer."""
    return tsquery(consulta, dobra="cogep_lexico")


async def por_id(
    session: AsyncSession,
    *,
    usuario: Usuario,
    documento_id: int,
    travar: bool = False,
    so_da_equipe: bool = False,
) -> Documento | None:
    """One document the user may see, with its sender."""
    stmt = (
        select(Documento)
        .options(joinedload(Documento.enviado_por))
        .where(Documento.id == documento_id, visivel_para(usuario, so_da_equipe=so_da_equipe))
    )
    if travar:
        stmt = stmt.with_for_update(of=Documento)
    return (await session.scalars(stmt)).unique().one_or_none()


async def pagina(
    session: AsyncSession, *, usuario: Usuario, offset: int, limite: int, so_da_equipe: bool = False
) -> tuple[list[Documento], int]:
    """A page of the documents the user may see, newest first, and how many there are; a
    failed ingestion only to its sender and the admins (`falhas_visiveis_para`)."""
    stmt = (
        select(Documento, func.count().over())
        .options(joinedload(Documento.enviado_por))
        .where(visivel_para(usuario, so_da_equipe=so_da_equipe), falhas_visiveis_para(usuario))
        .order_by(Documento.criado_em.desc(), Documento.id.desc())
        .offset(offset_seguro(offset))
        .limit(limite)
    )
    linhas = list(await session.execute(stmt))
    total = int(linhas[0][1]) if linhas else 0
    if not linhas and offset:
        total = int(
            await session.scalar(
                select(func.count())
                .select_from(Documento)
                .where(
                    visivel_para(usuario, so_da_equipe=so_da_equipe),
                    falhas_visiveis_para(usuario),
                )
            )
            or 0
        )
    return [doc for doc, _ in linhas], total


@dataclass(frozen=True)
class Achado:
    """One matching chunk with its document's title."""

    trecho_id: int
    documento_id: int
    titulo: str
    secao: str | None
    pagina: int | None
    texto: str
    pontuacao: float


async def buscar(
    session: AsyncSession,
    *,
    usuario: Usuario,
    consulta: Consulta,
    limite: int,
    janela: int = JANELA,
    so_da_equipe: bool = False,
) -> list[Achado]:
    """The best chunks for `consulta` (`db.busca.documentos`) among the documents the user may see.

    Matches are collected (visibility applied in the same scan) up to `janela`, then ranked:
    ranking costs per match, and a word in half of 100,000 chunks would rank 50,000 of them
    (bench/ingest.py: ranking 2,000 candidates and reading their rows was 7 of the 11 ms).
    """
    condicao = _tsquery(consulta)
    candidatos = (
        select(Trecho.id.label("id"), Trecho.busca.label("busca"))
        .join(Documento, Documento.id == Trecho.documento_id)
        .where(
            Trecho.busca.op("@@")(condicao),
            Documento.status == "pronto",
            visivel_para(usuario, so_da_equipe=so_da_equipe),
        )
        .limit(janela)
        .cte("candidatos")
    )
    # ts_rank_cd normalisation 1: divided by 1 + log(length), so long chunks do not win by bulk.
    # Ranked on the candidates' vectors alone; only the winners' texts are read.
    pontuacao = func.ts_rank_cd(candidatos.c.busca, condicao, 1)
    melhores = (
        select(candidatos.c.id.label("id"), pontuacao.label("pontuacao"))
        .order_by(pontuacao.desc(), candidatos.c.id)
        .limit(limite)
        .cte("melhores")
    )
    stmt = (
        select(*_colunas_do_achado(melhores.c.pontuacao))
        .select_from(melhores)
        .join(Trecho, Trecho.id == melhores.c.id)
        .join(Documento, Documento.id == Trecho.documento_id)
        .order_by(melhores.c.pontuacao.desc(), Trecho.id)
    )
    return [_achado(linha) for linha in await session.execute(stmt)]


def _colunas_do_achado(pontuacao: Any) -> tuple[Any, ...]:
    """The columns `_achado` reads, in its order."""
    return (
        Trecho.id, Trecho.documento_id, Documento.titulo, Trecho.secao, Trecho.pagina,
        Trecho.texto, pontuacao,
    )  # fmt: skip


def _achado(linha: Sequence[Any]) -> Achado:
    trecho_id, documento_id, titulo, secao, pagina, texto, pontuacao = linha
    return Achado(trecho_id, documento_id, titulo, secao, pagina, texto, float(pontuacao))


async def trechos_por_ids(
    session: AsyncSession, *, usuario: Usuario, ids: Sequence[int], so_da_equipe: bool = False
) -> list[Achado]:
    """Chunks by id, only those the user may see (the vector side of a hybrid search)."""
    if not ids:
        return []
    stmt = (
        select(*_colunas_do_achado(literal(0.0)))
        .join(Documento, Documento.id == Trecho.documento_id)
        .where(
            Trecho.id.in_(ids),
            Documento.status == "pronto",
            visivel_para(usuario, so_da_equipe=so_da_equipe),
        )
    )
    return [_achado(linha) for linha in await session.execute(stmt)]


async def palavras_que_casam(
    session: AsyncSession, *, palavras: Sequence[str], consulta: Consulta
) -> list[str]:
    """Which of `palavras` match any term of the query: the words to highlight."""
    if not palavras or not consulta.termos:
        return []
    palavra = func.unnest(literal(list(palavras), ARRAY(Text))).table_valued("p").render_derived()
    vetor = func.to_tsvector(
        literal_column("'portuguese'"),
        func.cogep_lexico(palavra.c.p),
    )
    stmt = select(palavra.c.p).where(vetor.op("@@")(_tsquery(Consulta(consulta.termos))))
    return list(await session.scalars(stmt))


async def trecho_visivel(
    session: AsyncSession, *, usuario: Usuario, trecho_id: int, so_da_equipe: bool = False
) -> Achado | None:
    """One chunk, if the user may see its document."""
    achados = await trechos_por_ids(
        session, usuario=usuario, ids=[trecho_id], so_da_equipe=so_da_equipe
    )
    return achados[0] if achados else None


# -- the ingestion queue ---------------------------------------------------------------------
def _abandonado(prazo_s: float) -> ColumnElement[bool]:
    """Being processed by a worker that has been silent for more than `prazo_s` (it died)."""
    return and_(
        Documento.status == "processando",
        Documento.tomado_em < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, prazo_s),
    )


async def reivindicar(
    session: AsyncSession, *, documento_id: int, prazo_s: float
) -> Documento | None:
    """Take a pending document, or one whose worker has been silent past `prazo_s` (it died);
    None when someone else holds it or it is done. Bumps `tentativas`, the fencing token."""
    stmt = (
        update(Documento)
        .where(
            Documento.id == documento_id, or_(Documento.status == "pendente", _abandonado(prazo_s))
        )
        .values(status="processando", tentativas=Documento.tentativas + 1, tomado_em=func.now())
        .returning(Documento)
    )
    return (await session.scalars(stmt)).one_or_none()


async def renovar(session: AsyncSession, *, documento_id: int, tentativa: int) -> None:
    """Keep a live worker's claim fresh (its heartbeat); nothing when the claim is not its own."""
    await session.execute(
        update(Documento)
        .where(
            Documento.id == documento_id,
            Documento.tentativas == tentativa,
            Documento.status == "processando",
        )
        .values(tomado_em=func.now())
    )


async def retomaveis(session: AsyncSession, *, prazo_s: float) -> list[int]:
    """Documents left pending, or processing by a worker silent past `prazo_s`, oldest first."""
    stmt = (
        select(Documento.id)
        .where(
            Documento.status.in_(EM_ANDAMENTO),
            or_(Documento.status == "pendente", _abandonado(prazo_s)),
        )
        .order_by(Documento.id)
    )
    return list(await session.scalars(stmt))


async def em_andamento(session: AsyncSession, *, usuario_id: int) -> int:
    """How many of the user's documents are waiting or being processed."""
    stmt = select(func.count()).where(
        Documento.enviado_por_id == usuario_id, Documento.status.in_(EM_ANDAMENTO)
    )
    return int(await session.scalar(stmt) or 0)


async def remover(session: AsyncSession, *, documento_id: int) -> None:
    """Delete a document; its chunks (and their vectors) go with it (ON DELETE CASCADE)."""
    await session.execute(delete(Documento).where(Documento.id == documento_id))


async def descartar_do_trabalhador(
    session: AsyncSession, *, documento_id: int, tentativa: int
) -> None:
    """Delete the document if this worker's claim (its `tentativa`) still holds."""
    await session.execute(
        delete(Documento).where(Documento.id == documento_id, Documento.tentativas == tentativa)
    )


async def do_trabalhador(
    session: AsyncSession, *, documento_id: int, tentativa: int
) -> Documento | None:
    """The document, locked, if this worker's claim (its `tentativa`) still holds."""
    stmt = (
        select(Documento)
        .where(
            Documento.id == documento_id,
            Documento.status == "processando",
            Documento.tentativas == tentativa,
        )
        .with_for_update()
    )
    return (await session.scalars(stmt)).one_or_none()


async def igual(
    session: AsyncSession, *, sha256: str, privado: bool, enviado_por_id: int | None, exceto: int
) -> Documento | None:
    """Another document with the same content in the same visibility scope."""
    stmt = select(Documento).where(
        Documento.sha256 == sha256, Documento.id != exceto, Documento.privado == privado
    )
    if privado:
        stmt = stmt.where(Documento.enviado_por_id == enviado_por_id)
    return (await session.scalars(stmt.limit(1))).one_or_none()


COLUNAS_TRECHO = ("documento_id", "posicao", "secao", "pagina", "texto")


async def gravar_trechos(
    session: AsyncSession,
    *,
    documento_id: int,
    linhas: Sequence[tuple[int, str | None, int | None, str]],
) -> list[int]:
    """COPY the chunks (posicao, secao, pagina, texto) in the session's transaction; their ids
    in position order."""
    conexao = await session.connection()
    bruta = await conexao.get_raw_connection()
    driver: Any = bruta.driver_connection
    registros = [(documento_id, *linha) for linha in linhas]
    await driver.copy_records_to_table("trechos", records=registros, columns=COLUNAS_TRECHO)
    stmt = select(Trecho.id).where(Trecho.documento_id == documento_id).order_by(Trecho.posicao)
    return list(await session.scalars(stmt))


async def falhas_de_ingestao(session: AsyncSession, *, desde: datetime, ate: datetime) -> int:
    """How many documents failed to get in during [desde, ate) (the admins' health line)."""
    quando = func.coalesce(Documento.processado_em, Documento.atualizado_em)
    return (
        await session.scalar(
            select(func.count()).where(Documento.status == "falhou", quando >= desde, quando < ate)
        )
        or 0
    )
