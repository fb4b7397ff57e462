"""/start, /ajuda, /cancelar and the catch-alls for what Cogep does not understand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.saida.envio import reply_html
from bot.usuarios import motivo_sem_acesso
from db.models import Usuario
from handlers import mentor, processos
from handlers.common import botao_desconhecido, registered
from handlers.context import CogepContext
from handlers.formulario import retomar
from handlers.rotas import MESSAGES, Comando, Rotas
from handlers.texto import texto_livre


async def start(update: Update, context: CogepContext) -> None:
    """Register the caller (keeping a deep-link payload) and greet them; a link to a processo
    (`/start p_2026-0042`) opens its card for whoever may see it."""
    user = update.effective_user
    assert user is not None
    origem = context.args[0] if context.args else None
    registro = await context.services.usuarios.registrar(
        telegram_id=user.id, nome=user.full_name, username=user.username, origem=origem
    )
    context.usuario = usuario = registro.usuario
    if usuario.acesso == "pendente":
        text = (
            texts.cadastro_recebido(usuario.nome) if registro.novo else texts.AGUARDANDO_LIBERACAO
        )
    elif usuario.acesso == "recusado":
        text = texts.ACESSO_RECUSADO
    elif registro.novo:
        text = texts.boas_vindas(usuario.nome, papel=usuario.papel)
    elif origem and origem.startswith(texts.PREFIXO_LINK):  # a shared link: the card is the reply
        await processos.mostrar_por_numero(
            update, context, usuario, origem.removeprefix(texts.PREFIXO_LINK)
        )
        return
    else:
        text = texts.ja_cadastrado(usuario.nome)
    await reply_html(update, context.bot, text)
    if usuario.acesso == "liberado" and origem and origem.startswith(texts.PREFIXO_LINK):
        await processos.mostrar_por_numero(  # a newcomer who came by a link: greeting, then card
            update, context, usuario, origem.removeprefix(texts.PREFIXO_LINK)
        )


async def ajuda(update: Update, context: CogepContext) -> None:
    """List the commands."""
    user = update.effective_user
    usuario = await context.carregar_usuario(user.id if user else None)
    motivo = motivo_sem_acesso(usuario) if usuario is not None else None
    if motivo is not None:  # nothing else would answer them
        await reply_html(update, context.bot, motivo)
        return
    papel = usuario.papel if usuario else "membro"
    await reply_html(update, context.bot, context.bot_data.comandos.ajuda(papel=papel))


@registered
async def cancelar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Stop the mentor's running answer and leave whatever guided conversation the user is in."""
    assert update.effective_chat is not None
    parou = await mentor.parar_resposta(update, context)
    fim = await context.services.fluxos.encerrar(
        chat_id=update.effective_chat.id, telegram_id=usuario.telegram_id
    )
    if parou and not fim.havia:
        await reply_html(update, context.bot, texts.MENTOR_PARADA)
        return
    await reply_html(update, context.bot, texts.CANCELADO if fim.havia else texts.NADA_A_CANCELAR)
    await retomar(update, context, fim.retomado)


async def comando_desconhecido(update: Update, context: CogepContext) -> None:
    """Answer a command Cogep does not have."""
    await reply_html(update, context.bot, texts.COMANDO_DESCONHECIDO)


async def nao_suportado(update: Update, context: CogepContext) -> None:
    """Answer stickers, photos, voice and the like in a private chat."""
    await reply_html(update, context.bot, texts.NAO_SUPORTADO)


# -- declarations (handlers.register includes ROTAS first and FIM last) ----------------------
ROTAS = Rotas(
    comandos=[
        Comando("start", start, texts.AJUDA_START),
        Comando("ajuda", ajuda, texts.AJUDA_AJUDA),
        Comando("help", ajuda, None),  # Telegram's customary name for /ajuda
    ]
)
# /cancelar, then the catch-alls: an unknown command, free text (a flow's answer or a question
# for the mentor), unsupported media, a button of no known kind, so nothing falls through.
FIM = Rotas(
    comandos=[Comando("cancelar", cancelar, texts.AJUDA_CANCELAR)],
    handlers=[
        MessageHandler(MESSAGES & filters.COMMAND & filters.ChatType.PRIVATE, comando_desconhecido),
        MessageHandler(MESSAGES & filters.TEXT, texto_livre),
        MessageHandler(MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT, nao_suportado),
        CallbackQueryHandler(botao_desconhecido),
    ],
)
