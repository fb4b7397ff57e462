"""/aviso (admins): preview with the recipient count, confirm, progress in one edited message.

    av:<id>:s   send (confirm the preview)      av:<id>:n   discard the draft
    av:<id>:x   stop a running announcement

The progress reporter is a task beside the app that edits the admin's message every couple of
seconds until nothing is left, then writes the final counts. A replica that restarts mid-send
loses its reporter; the scheduler's round (bot.saida.transporte) starts a new one for any running
announcement whose reporter has gone quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application

from bot import texts
from bot.errors import StaleState
from bot.notificacoes.avisos import Progresso
from bot.render import escape
from bot.saida.envio import edit_html, editar, reply_html
from bot.saida.resultado import Enviada, Espere
from bot.services import Services
from db.models import Usuario
from handlers import keyboards
from handlers.botoes import Aviso
from handlers.common import registered
from handlers.context import SERVICES_KEY, CogepContext

log = logging.getLogger("cogep.aviso")
INTERVALO = 2.0  # seconds between progress edits
SILENCIO = 15.0  # a reporter quiet for longer than this is presumed gone
_REPORTERS_KEY = "avisos_acompanhados"


def _botao(rotulo: str, aviso_id: int, acao: str) -> InlineKeyboardButton:
    return keyboards.botao(rotulo, Aviso(aviso_id, acao))


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
    await reply_html(update, context.bot, html, keyboard=teclado)


async def botao(update: Update, context: CogepContext, usuario: Usuario, dados: Aviso) -> None:
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
    await edit_html(query.message, progresso, keyboard=_parar(enviado.id))
    await avisos.registrar_mensagem(enviado.id, query.message.message_id)
    acompanhar(context.application, enviado.id, query.message.chat_id, query.message.message_id)


def acompanhar(
    app: Application[Any, Any, Any, Any, Any, Any], aviso_id: int, chat_id: int, mensagem_id: int
) -> None:
    """Start the progress reporter of an announcement in this process (once)."""
    ativos: dict[int, asyncio.Task[None]] = app.bot_data.setdefault(_REPORTERS_KEY, {})
    if aviso_id in ativos and not ativos[aviso_id].done():
        return
    # Not app.create_task: Application.stop awaits those, and this one ends only when the
    # announcement does, which needs the sender that post_shutdown stops after it (a hang).
    ativos[aviso_id] = asyncio.create_task(
        _acompanhar(app, aviso_id, chat_id, mensagem_id), name=f"aviso-{aviso_id}"
    )


async def retomar(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Take over the progress of announcements whose reporter went quiet."""
    services: Services = app.bot_data[SERVICES_KEY]
    for quieto in await services.avisos.sem_acompanhamento(ha_segundos=SILENCIO):
        assert quieto.mensagem_id is not None
        acompanhar(app, quieto.id, quieto.chat_id, quieto.mensagem_id)


async def _acompanhar(
    app: Application[Any, Any, Any, Any, Any, Any], aviso_id: int, chat_id: int, mensagem_id: int
) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
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
    app: Application[Any, Any, Any, Any, Any, Any], chat_id: int, mensagem_id: int, html: str,
    teclado: InlineKeyboardMarkup | None,
) -> None:  # fmt: skip
    """Edit the progress message; a 429 only skips this update (the next carries newer numbers)."""
    resultado = await editar(app.bot, chat_id, mensagem_id, html, teclado=teclado)
    if not isinstance(resultado, Enviada | Espere):
        log.warning("announcement progress not shown: %s", resultado.motivo)


async def parar_acompanhamentos(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the reporters (shutdown); another replica's round takes over."""
    ativos: dict[int, asyncio.Task[None]] = app.bot_data.pop(_REPORTERS_KEY, {})
    for tarefa in ativos.values():
        tarefa.cancel()
    for tarefa in ativos.values():
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await tarefa
