"""Free text: the answer to a guided flow's question, else a question for the mentor.

In groups Cogep only listens when it is mentioned or replied to, so it never talks over people.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update

from bot import texts
from bot.saida.envio import reply_html
from handlers.common import admitido
from handlers.context import CogepContext
from handlers.formulario import encerrar_fluxo, retomar
from handlers.mentor import perguntar

# Typed in the middle of a question, these mean /cancelar (people forget the slash).
PALAVRAS_DE_SAIDA = {"cancelar", "cancela", "cancele", "sair", "desistir"}


def addressed_to_bot(message: Message, bot_username: str, bot_id: int) -> bool:
    """Private chats always; in groups, a mention of the bot or a reply to one of its messages."""
    if message.chat.type == "private":
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    return any(m.lstrip("@").lower() == bot_username.lower() for m in mentions)


async def texto_livre(update: Update, context: CogepContext) -> None:
    """Send text to the user's live flow (`AppState.conversas`), or answer it as free text."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not addressed_to_bot(message, context.bot.username, context.bot.id):
        return
    usuario = await admitido(update, context)
    if usuario is None:
        return
    fluxo = await context.services.fluxos.atual(chat_id=message.chat_id, telegram_id=user.id)
    if fluxo is not None and (message.text or "").strip().lower() in PALAVRAS_DE_SAIDA:
        rascunho = await encerrar_fluxo(update, context)
        await reply_html(update, context.bot, texts.CANCELADO)
        await retomar(update, context, rascunho)
        return
    resposta = context.bot_data.conversas.resposta(fluxo.nome) if fluxo is not None else None
    if fluxo is not None and resposta is not None:
        await resposta(update, context, usuario, fluxo)
        return
    await perguntar(update, context, usuario)
