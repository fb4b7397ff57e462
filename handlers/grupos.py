"""Group chats: the gate in front of every handler, /autorizar, and the bot joining or leaving.

The gate runs first (handler group -1) and costs a query only for updates some handler would
act on (a command, a button, a message addressed to the bot); group chatter passes untouched,
because every handler ignores it anyway.
"""

from __future__ import annotations

from telegram import ChatMember, ChatMemberRestricted, Message, Update
from telegram.ext import ApplicationHandlerStop, ChatMemberHandler, TypeHandler

from bot import texts
from bot.saida.envio import reply_html, send_html
from db.models import Usuario
from handlers.common import registered, track_block
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas
from handlers.texto import addressed_to_bot

GROUP_TYPES = ("group", "supergroup")
SEMPRE_ATENDIDOS = ("/autorizar", "/desautorizar")


async def porteiro(update: Update, context: CogepContext) -> None:
    """Stop updates from a group nobody authorised, saying why when someone asked for the bot."""
    chat = update.effective_chat
    if chat is None or chat.type not in GROUP_TYPES or update.my_chat_member is not None:
        return
    message = update.message
    if message is not None and message.migrate_from_chat_id:
        await context.services.grupos.migrar(de=message.migrate_from_chat_id, para=chat.id)
        raise ApplicationHandlerStop
    comando = _comando(message, context.bot.username) if message else None
    wanted = (
        update.callback_query is not None
        or comando is not None
        or (message is not None and addressed_to_bot(message, context.bot.username, context.bot.id))
    )
    if not wanted or comando in SEMPRE_ATENDIDOS:
        return
    if await context.services.grupos.autorizado(chat.id):
        return
    if update.callback_query is not None:
        await update.callback_query.answer(texts.GRUPO_NAO_AUTORIZADO, show_alert=True)
    else:
        await reply_html(update, context.bot, texts.GRUPO_NAO_AUTORIZADO)
    raise ApplicationHandlerStop


def _comando(message: Message, bot_username: str) -> str | None:
    """`/ajuda` for `/ajuda` or `/ajuda@this_bot`; None for text and other bots' commands."""
    texto = message.text or ""
    if not texto.startswith("/"):
        return None
    comando, _, destino = texto.split(maxsplit=1)[0].partition("@")
    return comando.lower() if not destino or destino.lower() == bot_username.lower() else None


async def participacao(update: Update, context: CogepContext) -> None:
    """The bot's own membership changed: blocked in private, added to or removed from a group."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == "private":
        await track_block(update, context)
        return
    if change.chat.type not in GROUP_TYPES:
        return
    entrou, estava = _presente(change.new_chat_member), _presente(change.old_chat_member)
    titulo, grupos = change.chat.title or "", context.services.grupos
    if entrou and not estava:
        vale = await grupos.bot_adicionado(
            change.chat.id, titulo, por_telegram_id=change.from_user.id
        )
        saudacao = texts.GRUPO_BEM_VINDO if vale else texts.GRUPO_PEDE_AUTORIZACAO
        await send_html(context.bot, change.chat.id, saudacao)
    elif estava and not entrou:
        await grupos.bot_removido(change.chat.id, titulo)


def _presente(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


@registered
async def autorizar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """`/autorizar` in a group: a gestor or admin lets Cogep serve it."""
    await _autorizar(update, context, usuario, sim=True)


@registered
async def desautorizar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """`/desautorizar` in a group: Cogep stops serving it."""
    await _autorizar(update, context, usuario, sim=False)


async def _autorizar(update: Update, context: CogepContext, usuario: Usuario, *, sim: bool) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type not in GROUP_TYPES:
        await reply_html(update, context.bot, texts.AUTORIZAR_SO_EM_GRUPO)
        return
    await context.services.grupos.autorizar(usuario, chat.id, chat.title or "", sim=sim)
    await reply_html(
        update, context.bot, texts.GRUPO_AUTORIZADO if sim else texts.GRUPO_DESAUTORIZADO
    )


# -- declarations (included by handlers.register: PORTARIA first of all) ---------------------
# Group -1: a group chat nobody authorised gets no further than this.
PORTARIA = Rotas(grupos={-1: [TypeHandler(Update, porteiro)]})
ROTAS = Rotas(
    comandos=[
        Comando("autorizar", autorizar, texts.AJUDA_AUTORIZAR, secao="gestor"),
        Comando("desautorizar", desautorizar, None),  # shown in /autorizar's line
    ],
    handlers=[ChatMemberHandler(participacao, ChatMemberHandler.MY_CHAT_MEMBER)],
)
