"""/perfil: show the profile and edit nome, fuso horário and notice preferences.

Buttons carry everything they need in their callback data (`pf:...`), so they still work after
a restart; typed answers (a new name, a time zone) go through the persisted flow `perfil`.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.fluxos import Fluxo
from bot.fusos import COMUNS
from db.models import Usuario
from handlers.common import registered
from handlers.context import CogepContext
from handlers.formulario import encerrar_fluxo, retomar
from handlers.reply import edit_html, reply_html

FLOW = "perfil"
HORAS = (6, 7, 8, 9, 10, 12, 14, 18)


def _card(usuario: Usuario) -> str:
    return texts.perfil(
        nome=usuario.nome,
        username=usuario.username,
        papel=usuario.papel,
        fuso=usuario.fuso_horario,
        notificacoes=usuario.notificacoes_ativas,
        hora_resumo=usuario.hora_resumo,
    )


def _keyboard(usuario: Usuario) -> InlineKeyboardMarkup:
    notificacoes = (
        texts.BOTAO_NOTIFICACOES_ON if usuario.notificacoes_ativas else texts.BOTAO_NOTIFICACOES_OFF
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BOTAO_NOME, callback_data="pf:nome"),
                InlineKeyboardButton(texts.BOTAO_FUSO, callback_data="pf:fuso"),
            ],
            [InlineKeyboardButton(notificacoes, callback_data="pf:notif")],
            [
                InlineKeyboardButton(
                    texts.BOTAO_RESUMO.format(hora=usuario.hora_resumo), callback_data="pf:hora"
                )
            ],
        ]
    )


def _fusos_keyboard() -> InlineKeyboardMarkup:
    """Brazil's main zones (and Lisbon), by their index in `fusos.COMUNS`."""
    botoes = [
        InlineKeyboardButton(rotulo, callback_data=f"pf:fuso:{i}")
        for i, (rotulo, _) in enumerate(COMUNS)
    ]
    return InlineKeyboardMarkup([[botao] for botao in botoes])


def _hours_keyboard() -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(f"{h:02d}:00", callback_data=f"pf:hora:{h}") for h in HORAS]
    return InlineKeyboardMarkup([row[:4], row[4:]])


@registered
async def perfil(update: Update, context: CogepContext) -> None:
    """Show the caller's profile with edit buttons."""
    assert context.usuario is not None  # an open name/time-zone question: dropped by the guard
    await reply_html(
        update, context.bot, _card(context.usuario), keyboard=_keyboard(context.usuario)
    )


async def _largar_pergunta(update: Update, context: CogepContext) -> Fluxo | None:
    """Drop a name or time-zone question a button answered or replaced; its kept draft."""
    assert update.effective_chat is not None and update.effective_user is not None
    fluxo = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    return await encerrar_fluxo(update, context) if fluxo and fluxo.nome == FLOW else None


@registered
async def perfil_botao(update: Update, context: CogepContext) -> None:
    """Act on a /perfil button."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.usuario is not None
    assert update.effective_chat is not None
    usuarios, me = context.services.usuarios, context.usuario
    acao = query.data.split(":")[1:]
    await query.answer()
    # A button answers (or replaces) an open name/time-zone question: drop it.
    rascunho = await _largar_pergunta(update, context) if acao not in (["nome"], ["fuso"]) else None
    if acao == ["notif"]:
        me = await usuarios.definir_notificacoes(me.telegram_id, not me.notificacoes_ativas)
    elif acao == ["hora"]:
        await reply_html(
            update, context.bot, texts.PERGUNTA_HORA_RESUMO, keyboard=_hours_keyboard()
        )
        return
    elif len(acao) == 2 and acao[0] == "hora" and acao[1].isdigit():
        me = await usuarios.definir_hora_resumo(me.telegram_id, int(acao[1]))
    elif len(acao) == 2 and acao[0] == "fuso" and acao[1].isdigit() and int(acao[1]) < len(COMUNS):
        me = await usuarios.definir_fuso(me.telegram_id, COMUNS[int(acao[1])][1])
    elif acao in (["nome"], ["fuso"]):
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id,
            telegram_id=me.telegram_id,
            fluxo=Fluxo(FLOW, acao[0]),
        )
        if acao == ["nome"]:
            await reply_html(update, context.bot, texts.PERGUNTA_NOME)
        else:
            await reply_html(update, context.bot, texts.PERGUNTA_FUSO, keyboard=_fusos_keyboard())
        return
    else:
        return
    context.usuario = me
    if isinstance(query.message, Message):
        await edit_html(query.message, _card(me), keyboard=_keyboard(me))
    else:
        await reply_html(update, context.bot, _card(me), keyboard=_keyboard(me))
    await retomar(update, context, rascunho)


async def perfil_resposta(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """Take the typed answer of the `perfil` flow (a new name or a time zone)."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.usuario is not None
    usuarios, telegram_id = context.services.usuarios, context.usuario.telegram_id
    resposta = update.effective_message.text or ""
    if fluxo.passo == "nome":
        me = await usuarios.renomear(telegram_id, resposta)
    else:
        me = await usuarios.definir_fuso(telegram_id, resposta)
    rascunho = await encerrar_fluxo(update, context)
    await reply_html(
        update, context.bot, f"{texts.PERFIL_ATUALIZADO}\n\n{_card(me)}", keyboard=_keyboard(me)
    )
    await retomar(update, context, rascunho)
