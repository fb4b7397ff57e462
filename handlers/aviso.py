"""/aviso (admins): preview with the recipient count, confirm, progress in one edited message.

    av:<id>:s   send (confirm the preview)      av:<id>:n   discard the draft
    av:<id>:x   stop a running announcement

The progress reporter is a task of the background registry (bot.tarefas, so shutdown cancels
it instead of waiting for the announcement to finish) that edits the admin's message every couple of
seconds until nothing is left, then writes the final counts. A replica that restarts mid-send
loses its reporter; the scheduler's round (bot.saida.transporte) starts a new one for any running
announcement whose reporter has gone quiet.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.errors import StaleState
from bot.notificacoes.avisos import Progresso
from bot.render import escape
from bot.saida.envio import edit_html, editar, reply_html
from bot.saida.resultado import Enviada, Espere
from db.models import Usuario
from handlers import teclados
from handlers.botoes import BotaoAviso
from handlers.common import on_button, registered
from handlers.context import CogepApplication, CogepContext
from handlers.rotas import Comando, Rotas

log = logging.getLogger("cogep.aviso")
INTERVALO = 2.0  # seconds between progress edits
SILENCIO = 15.0  # a reporter quiet for longer than this is presumed gone


def _botao(rotulo: str, aviso_id: int, acao: str) -> InlineKeyboardButton:
    return teclados.botao(rotulo, BotaoAviso(aviso_id, acao))


def _parar(aviso_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_botao(texts.BOTAO_AVISO_PARAR, aviso_id, "x")]])


@registered
async def aviso(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Preview an announcement to everyone: `/aviso Amanhã não haverá expediente.`"""
    assert update.effective_message is not None
    texto = (update.effective_message.text or "").partition(" ")[2]
    previa = await context.services.avisos.preparar(usuario, texto)
    teclado = InlineKeyboardMarkup(
        [[_botao(texts.BOTAO_AVISO_ENVIAR, previa.aviso.id, "s"),
          _botao(texts.BOTAO_AVISO_CANCELAR, previa.aviso.id, "n")]]
    )  # fmt: skip
    html = texts.aviso_previa(escape(previa.aviso.texto), destinatarios=previa.destinatarios)
    await reply_html(update, context.bot, html, teclado=teclado)


async def botao(update: Update, context: CogepContext, usuario: Usuario, dados: BotaoAviso) -> None:
    """Send, discard or stop an announcement."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        raise StaleState(texts.BOTAO_EXPIRADO)
    avisos = context.services.avisos
    if dados.acao == "n":
        await avisos.cancelar(usuario, dados.aviso_id)
        await query.answer()
        await edit_html(query.message, texts.AVISO_CANCELADO)
        return
    if dados.acao == "x":
        await avisos.cancelar(usuario, dados.aviso_id)
        await query.answer(texts.BOTAO_AVISO_PARAR)
        return  # the reporter writes the final counts
    enviado = await avisos.confirmar(usuario, dados.aviso_id)
    await query.answer()
    progresso = texts.aviso_progresso(total=enviado.total, enviadas=0, bloqueados=0, falhas=0)
    await edit_html(query.message, progresso, teclado=_parar(enviado.id))
    await avisos.registrar_mensagem(enviado.id, query.message.message_id)
    acompanhar(context.application, enviado.id, query.message.chat_id, query.message.message_id)


def acompanhar(app: CogepApplication, aviso_id: int, chat_id: int, mensagem_id: int) -> None:
    """Start the progress reporter of an announcement in this process (once)."""
    ativos = app.bot_data.avisos_acompanhados
    if aviso_id in ativos and not ativos[aviso_id].done():
        return
    ativos[aviso_id] = app.bot_data.tarefas.criar(  # cancelled at shutdown, never waited for
        f"aviso-{aviso_id}", _acompanhar(app, aviso_id, chat_id, mensagem_id)
    )


async def retomar(app: CogepApplication) -> None:
    """Take over the progress of announcements whose reporter went quiet."""
    services = app.bot_data.services
    for quieto in await services.avisos.sem_acompanhamento(ha_segundos=SILENCIO):
        assert quieto.mensagem_id is not None
        acompanhar(app, quieto.id, quieto.chat_id, quieto.mensagem_id)


async def _acompanhar(app: CogepApplication, aviso_id: int, chat_id: int, mensagem_id: int) -> None:
    services = app.bot_data.services
    ultimo = ""
    while True:
        progresso = await services.avisos.progresso(aviso_id)
        html = _texto(progresso)
        if html != ultimo:
            teclado = None if progresso.terminou else _parar(aviso_id)
            await _editar(app, chat_id, mensagem_id, html, teclado)
            ultimo = html
        if progresso.terminou:
            return
        await asyncio.sleep(INTERVALO)


def _texto(p: Progresso) -> str:
    if p.terminou:
        return texts.aviso_final(total=p.total, enviadas=p.enviadas, bloqueados=p.bloqueados,
                                 falhas=p.falhas, cancelados=p.cancelados)  # fmt: skip
    return texts.aviso_progresso(
        total=p.total, enviadas=p.enviadas, bloqueados=p.bloqueados, falhas=p.falhas
    )


async def _editar(
    app: CogepApplication, chat_id: int, mensagem_id: int, html: str,
    teclado: InlineKeyboardMarkup | None,
) -> None:  # fmt: skip
    """Edit the progress message; a 429 only skips this update (the next carries newer numbers)."""
    resultado = await editar(app.bot, chat_id, mensagem_id, html, teclado=teclado)
    if not isinstance(resultado, Enviada | Espere):
        log.warning("announcement progress not shown: %s", resultado.motivo)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[Comando("aviso", aviso, texts.AJUDA_AVISO, secao="admin", uso=texts.USO_AVISO)],
    handlers=[on_button(BotaoAviso, botao)],
)
