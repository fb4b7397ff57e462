"""Queries on the mentor's tables: conversation turns and summaries, usage, proposed actions.

Every read of a conversation is keyed by its chat; every read of usage or of an action by the
user it belongs to, so nobody reaches another person's memory or button.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Mensagem, MentorAcao, MentorUso, Usuario

LEMBRADOS = ("ok", "parcial")  # turns that go back to the model; failed questions do not


async def guardar(
    session: AsyncSession,
    *,
    chat_id: int,
    usuario_id: int | None,
    papel: str,
    texto: str,
    estado: str = "ok",
    processo_id: int | None = None,
    resume_ate: int | None = None,
) -> Mensagem:
    """Insert one turn (or summary) and return it with its id."""
    mensagem = Mensagem(
        chat_id=chat_id,
        usuario_id=usuario_id,
        papel=papel,
        texto=texto,
        estado=estado,
        processo_id=processo_id,
        resume_ate=resume_ate,
    )
    session.add(mensagem)
    await session.flush()
    return mensagem


async def marcar(session: AsyncSession, *, mensagem_id: int, estado: str) -> None:
    """Set a turn's state (a question answered, failed, or waiting again)."""
    await session.execute(update(Mensagem).where(Mensagem.id == mensagem_id).values(estado=estado))


async def pergunta(session: AsyncSession, *, mensagem_id: int, usuario_id: int) -> Mensagem | None:
    """A question the user asked (for 🔁 Tentar de novo); None if it is not theirs."""
    return await session.scalar(
        select(Mensagem).where(
            Mensagem.id == mensagem_id,
            Mensagem.usuario_id == usuario_id,
            Mensagem.papel == "usuario",
        )
    )


async def ultimo_resumo(session: AsyncSession, *, chat_id: int, antes_de: int) -> Mensagem | None:
    """The newest summary of the conversation written before turn `antes_de`."""
    return await session.scalar(
        select(Mensagem)
        .where(Mensagem.chat_id == chat_id, Mensagem.papel == "resumo", Mensagem.id < antes_de)
        .order_by(Mensagem.id.desc())
        .limit(1)
    )


def _lembrados(chat_id: int, depois_de: int, ate: ColumnElement[bool]) -> Select[Mensagem]:
    """A chat's remembered turns (no summaries) after `depois_de`, up to `ate`."""
    return select(Mensagem).where(
        Mensagem.chat_id == chat_id,
        Mensagem.id > depois_de,
        ate,
        Mensagem.papel != "resumo",
        Mensagem.estado.in_(LEMBRADOS),
    )


async def recentes(
    session: AsyncSession, *, chat_id: int, depois_de: int, antes_de: int, limite: int
) -> list[Mensagem]:
    """Up to `limite` remembered turns between two ids, newest first."""
    stmt = _lembrados(chat_id, depois_de, Mensagem.id < antes_de).order_by(Mensagem.id.desc())
    return list(await session.scalars(stmt.limit(limite)))


async def antigos(
    session: AsyncSession, *, chat_id: int, depois_de: int, ate: int, limite: int
) -> list[Mensagem]:
    """Up to `limite` remembered turns after `depois_de` up to `ate`, oldest first."""
    stmt = _lembrados(chat_id, depois_de, Mensagem.id <= ate).order_by(Mensagem.id).limit(limite)
    return list(await session.scalars(stmt))


async def esquecer(session: AsyncSession, *, chat_id: int) -> int:
    """Delete a conversation's turns and summaries (/nova_conversa); how many went."""
    result = await session.execute(delete(Mensagem).where(Mensagem.chat_id == chat_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def travar_usuario(session: AsyncSession, *, usuario_id: int) -> None:
    """Lock the user's row: their questions are admitted one at a time, limits included."""
    await session.execute(select(Usuario.id).where(Usuario.id == usuario_id).with_for_update())


async def pendentes(session: AsyncSession, *, usuario_id: int) -> int:
    """How many of the user's questions wait or are being answered."""
    total = await session.scalar(
        select(func.count())
        .select_from(Mensagem)
        .where(
            Mensagem.usuario_id == usuario_id,
            Mensagem.papel == "usuario",
            Mensagem.estado == "pendente",
        )
    )
    return int(total or 0)


async def retomar_pergunta(session: AsyncSession, *, mensagem_id: int) -> bool:
    """A failed question waits again (🔁); False when it is not failed (a doubled tap)."""
    linha = await session.scalar(
        update(Mensagem)
        .where(Mensagem.id == mensagem_id, Mensagem.estado == "falhou")
        .values(estado="pendente", vivo_em=func.now(), marcador_id=None)
        .returning(Mensagem.id)
    )
    return linha is not None


async def renovar_pendentes(session: AsyncSession, *, ids: Sequence[int]) -> None:
    """The heartbeat of the pending questions this process holds."""
    if ids:
        await session.execute(
            update(Mensagem)
            .where(Mensagem.id.in_(ids), Mensagem.estado == "pendente")
            .values(vivo_em=func.now())
        )


async def guardar_marcador(session: AsyncSession, *, mensagem_id: int, marcador_id: int) -> None:
    """Remember the group placeholder a question's answer streams into."""
    await session.execute(
        update(Mensagem).where(Mensagem.id == mensagem_id).values(marcador_id=marcador_id)
    )


async def interromper_silenciosas(session: AsyncSession, *, silencio_s: float) -> list[Mensagem]:
    """Fail the pending questions nobody has renewed for `silencio_s` (their process died),
    and return them; one UPDATE, so with several replicas each is taken once."""
    limite = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, silencio_s)
    stmt = (
        update(Mensagem)
        .where(
            Mensagem.estado == "pendente",
            Mensagem.papel == "usuario",
            func.coalesce(Mensagem.vivo_em, Mensagem.criado_em) < limite,
        )
        .values(estado="falhou")
        .returning(Mensagem)
    )
    return list(await session.scalars(stmt))


async def perguntas_desde(session: AsyncSession, *, usuario_id: int, desde: datetime) -> int:
    """How many questions the user asked since `desde` (the rate limit)."""
    total = await session.scalar(
        select(func.count())
        .select_from(Mensagem)
        .where(
            Mensagem.usuario_id == usuario_id,
            Mensagem.papel == "usuario",
            Mensagem.criado_em >= desde,
        )
    )
    return int(total or 0)


def registrar_uso(
    session: AsyncSession, *, usuario_id: int, chat_id: int, modelo: str, entrada: int, saida: int
) -> None:
    """Record the tokens of one model call."""
    session.add(
        MentorUso(
            usuario_id=usuario_id,
            chat_id=chat_id,
            modelo=modelo[:128],
            tokens_entrada=entrada,
            tokens_saida=saida,
        )
    )


def registrar_voz(
    session: AsyncSession, *, usuario_id: int, chat_id: int, modelo: str, segundos: int
) -> None:
    """Record the seconds of audio one transcription heard."""
    session.add(MentorUso(usuario_id=usuario_id, chat_id=chat_id, modelo=modelo[:128],
                          segundos_de_audio=segundos))  # fmt: skip


async def voz_desde(session: AsyncSession, *, usuario_id: int, desde: datetime) -> int:
    """Seconds of audio the user had transcribed since `desde`."""
    total = await session.scalar(
        select(func.coalesce(func.sum(MentorUso.segundos_de_audio), 0)).where(
            MentorUso.usuario_id == usuario_id, MentorUso.criado_em >= desde
        )
    )
    return int(total or 0)


async def uso_desde(session: AsyncSession, *, usuario_id: int, desde: datetime) -> tuple[int, int]:
    """(input, output) tokens the user spent since `desde`."""
    linha = (
        await session.execute(
            select(
                func.coalesce(func.sum(MentorUso.tokens_entrada), 0),
                func.coalesce(func.sum(MentorUso.tokens_saida), 0),
            ).where(MentorUso.usuario_id == usuario_id, MentorUso.criado_em >= desde)
        )
    ).one()
    return int(linha[0]), int(linha[1])


async def uso_por_usuario(
    session: AsyncSession, *, desde: datetime, limite: int = 20
) -> Sequence[tuple[Usuario, int, int]]:
    """Everyone's (user, input, output) tokens since `desde`, biggest spenders first."""
    entrada = func.sum(MentorUso.tokens_entrada)
    saida = func.sum(MentorUso.tokens_saida)
    stmt = (
        select(Usuario, entrada, saida)
        .join(MentorUso, MentorUso.usuario_id == Usuario.id)
        .where(MentorUso.criado_em >= desde)
        .group_by(Usuario.id)
        .order_by((entrada + saida).desc())
        .limit(limite)
    )
    return [(u, int(e), int(s)) for u, e, s in await session.execute(stmt)]


async def propor(
    session: AsyncSession, *, usuario_id: int, tipo: str, dados: dict[str, Any]
) -> MentorAcao:
    """Store a write the mentor proposes to the user."""
    acao = MentorAcao(usuario_id=usuario_id, tipo=tipo, dados=dados)
    session.add(acao)
    await session.flush()
    return acao


async def decidir_acao(
    session: AsyncSession, *, acao_id: int, usuario_id: int, estado: str
) -> MentorAcao | None:
    """Move the user's still-open proposal to `estado`; None if it is not theirs or not open.

    One UPDATE ... WHERE estado = 'proposta': a doubled tap, or a tap on two replicas, decides
    once.
    """
    return await session.scalar(
        update(MentorAcao)
        .where(
            MentorAcao.id == acao_id,
            MentorAcao.usuario_id == usuario_id,
            MentorAcao.estado == "proposta",
        )
        .values(estado=estado)
        .returning(MentorAcao)
    )


async def reabrir_acao(session: AsyncSession, *, acao_id: int) -> None:
    """Put a proposal back as open (its action failed, the user may try again)."""
    await session.execute(
        update(MentorAcao).where(MentorAcao.id == acao_id).values(estado="proposta")
    )
