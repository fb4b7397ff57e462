"""/perfil: show the profile and edit nome and fuso horário; notices link to /notificacoes.

Buttons (`botoes.BotaoPerfil`) carry everything they need, so they still work after a restart; typed
answers (a new name, a time zone) go through the persisted flow `perfil`. Notice preferences
(the master switch, the digest hour) have one owner, `NotificacaoService`: the card shows them
and 🔔 opens the /notificacoes screen, where they change.
"""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.fluxos import Fluxo
from bot.fusos import COMUNS
from bot.saida.envio import redesenhar, reply_html
from db.models import Usuario
from handlers import botoes, notificacoes, teclados
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.formulario import encerrar_fluxo, retomar
from handlers.rotas import Comando, Rotas

FLOW = "perfil"


def _card(usuario: Usuario) -> str:
    return texts.perfil(
        nome=usuario.nome,
        username=usuario.username,
        papel=usuario.papel,
        fuso=usuario.fuso_horario,
        notificacoes=usuario.notificacoes_ativas,
        hora_resumo=usuario.hora_resumo,
    )


@registered
async def perfil(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Show the caller's profile with edit buttons (an open name or time-zone question is
    dropped by the guard, as for any command)."""
    await reply_html(update, context.bot, _card(usuario), teclado=teclados.perfil(usuario))


async def _largar_pergunta(update: Update, context: CogepContext) -> Fluxo | None:
    """Drop a name or time-zone question a button answered or replaced; its kept draft."""
    assert update.effective_chat is not None and update.effective_user is not None
    fluxo = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    return await encerrar_fluxo(update, context) if fluxo and fluxo.nome == FLOW else None


async def perfil_botao(
    update: Update, context: CogepContext, me: Usuario, botao: botoes.BotaoPerfil
) -> None:
    """Act on a /perfil button."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    usuarios = context.services.usuarios
    await query.answer()
    pergunta = botao.acao in ("nome", "fuso") and botao.valor is None
    # A button answers (or replaces) an open name/time-zone question: drop it.
    rascunho = None if pergunta else await _largar_pergunta(update, context)
    if botao.acao in ("notif", "hora"):  # "hora": a button sent before /notificacoes owned it
        if botao.acao == "hora" and botao.valor is not None:
            me = await context.services.notificacoes.definir_hora_resumo(me, botao.valor)
        html, teclado = notificacoes.tela(me)
        await reply_html(update, context.bot, html, teclado=teclado)
        await retomar(update, context, rascunho)
        return
    if botao.valor is not None:  # a time zone from the list
        if not 0 <= botao.valor < len(COMUNS):
            return
        me = await usuarios.definir_fuso(me.telegram_id, COMUNS[botao.valor][1])
    else:  # a name or a time zone, typed next
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id,
            telegram_id=me.telegram_id,
            fluxo=Fluxo(FLOW, botao.acao),
        )
        if botao.acao == "nome":
            await reply_html(update, context.bot, texts.PERGUNTA_NOME)
        else:
            teclado = teclados.fusos()
            await reply_html(update, context.bot, texts.PERGUNTA_FUSO, teclado=teclado)
        return
    context.usuario = me
    await redesenhar(update, context.bot, _card(me), teclado=teclados.perfil(me))
    await retomar(update, context, rascunho)


async def perfil_resposta(
    update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo
) -> None:
    """Take the typed answer of the `perfil` flow (a new name or a time zone)."""
    assert update.effective_message is not None
    usuarios, telegram_id = context.services.usuarios, usuario.telegram_id
    resposta = update.effective_message.text or ""
    if fluxo.passo == "nome":
        me = await usuarios.renomear(telegram_id, resposta)
    else:
        me = await usuarios.definir_fuso(telegram_id, resposta)
    rascunho = await encerrar_fluxo(update, context)
    html = f"{texts.PERFIL_ATUALIZADO}\n\n{_card(me)}"
    await reply_html(update, context.bot, html, teclado=teclados.perfil(me))
    await retomar(update, context, rascunho)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[Comando("perfil", perfil, texts.AJUDA_PERFIL)],
    handlers=[on_button(botoes.BotaoPerfil, perfil_botao)],
    perguntas={FLOW: perfil_resposta},
)
