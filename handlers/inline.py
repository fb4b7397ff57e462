"""Inline mode: `@bot texto` in any chat lists the processos the typer may see.

Found by /buscar's search (an empty query: their most urgent open ones), scoped in SQL by
`visivel_para`; the answer is personal (`is_personal`) and cached a few seconds at most, so
Telegram never serves one person's list to another. Choosing a result posts a short card with
a button that opens the processo in the bot (a deep link: whoever may not see it is told
"não encontrado"). Someone unregistered or not let in gets an empty list and "Abrir o Cogep".
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot import texts
from bot.errors import InvalidInput
from bot.usuarios import motivo_sem_acesso
from db.models import Processo, Usuario
from handlers.context import CogepContext
from handlers.rotas import Rotas

CACHE_SEGUNDOS = 5  # Telegram's cache of an answer; it is personal, so never shared
RESULTADOS = 20


async def responder(update: Update, context: CogepContext) -> None:
    """Answer an inline query with the caller's processos matching it."""
    query = update.inline_query
    assert query is not None
    usuario = await context.carregar_usuario(query.from_user.id)
    if usuario is None or motivo_sem_acesso(usuario) is not None:
        botao = InlineQueryResultsButton(texts.INLINE_ABRIR, start_parameter="inline")
        await query.answer([], cache_time=0, is_personal=True, button=botao)
        return
    processos = await _achados(context, usuario, query.query)
    resultados = [_resultado(context, usuario, p) for p in processos]
    await query.answer(resultados, cache_time=CACHE_SEGUNDOS, is_personal=True)


async def _achados(context: CogepContext, usuario: Usuario, texto: str) -> list[Processo]:
    """/buscar's matches; with nothing searchable typed yet, the most urgent open ones."""
    servico = context.services.processos
    try:
        return await servico.buscar(usuario, texto, limite=RESULTADOS)
    except InvalidInput:  # "", "?", "--": nothing to search for
        return (await servico.listar(usuario, filtro="abertos")).itens


def _resultado(
    context: CogepContext, usuario: Usuario, processo: Processo
) -> InlineQueryResultArticle:
    """One processo as a result: number and title; status and prazo; the card it posts."""
    agora = context.services.processos.agora()
    abrir = f"https://t.me/{context.bot.username}?start={texts.PREFIXO_LINK}{processo.numero}"
    return InlineQueryResultArticle(
        id=str(processo.id),
        title=f"{processo.numero} · {processo.titulo[:80]}",
        description=texts.inline_descricao(processo, zona=usuario.fuso_horario, agora=agora),
        input_message_content=InputTextMessageContent(
            texts.inline_cartao(processo, zona=usuario.fuso_horario, agora=agora),
            parse_mode=ParseMode.HTML,
        ),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.INLINE_ABRIR_PROCESSO, url=abrir)]]
        ),
    )


# -- declarations -------------------------------------------------------------------------------
ROTAS = Rotas(handlers=[InlineQueryHandler(responder)])
