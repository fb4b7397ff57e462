"""Voice notes and audio files: transcribed, shown ("🎙 …"), then handled exactly as if typed.

What was heard goes through `handlers.texto.texto_livre` as a text message of its own: the
answer to the current guided step, a question for the mentor, a group reply to the bot. A
command is never run from speech (a leading "/" is dropped). In a group only a note that
replies to the bot is heard, as only such text would be. Transcription: `bot.mentor.voz`.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.saida.envio import reply_html
from handlers.common import admitido
from handlers.context import CogepContext
from handlers.rotas import MESSAGES, Rotas
from handlers.texto import texto_livre


def _para_o_bot(message: Message, bot_id: int) -> bool:
    """Private chats always; in a group, a note that replies to one of the bot's messages."""
    if message.chat.type == "private":
        return True
    respondida = message.reply_to_message
    return (
        respondida is not None
        and respondida.from_user is not None
        and (respondida.from_user.id == bot_id)
    )


def como_texto(update: Update, texto: str, context: CogepContext) -> Update:
    """The same update, as if the person had typed `texto` instead of speaking."""
    message = update.effective_message
    assert message is not None
    dados = message.to_dict()
    for campo in ("voice", "audio", "caption", "caption_entities"):
        dados.pop(campo, None)
    dados["text"] = texto.lstrip("/ ") or "…"  # speech never runs a command
    falada = Message.de_json(dados, context.bot)
    return Update(update.update_id, message=falada)


async def ouvir(update: Update, context: CogepContext) -> None:
    """Transcribe a voice note or audio file, show it, and handle it as typed text."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    if not _para_o_bot(message, context.bot.id):
        return
    usuario = await admitido(update, context)
    if usuario is None:
        return
    midia = message.voice or message.audio
    assert midia is not None
    duracao = midia.duration  # PTB 22 gives a timedelta (or an int, by its own setting)
    segundos = int(duracao.total_seconds()) if isinstance(duracao, timedelta) else int(duracao)
    mentor = context.services.mentor
    await mentor.pode_ouvir(usuario, segundos=segundos, tamanho=midia.file_size)  # before fetching
    arquivo = await midia.get_file()
    conteudo = bytes(await arquivo.download_as_bytearray())
    nome = "voz.ogg" if message.audio is None else (message.audio.file_name or "audio.mp3")
    texto = await mentor.ouvir(usuario, chat_id=message.chat_id, conteudo=conteudo,
                               segundos=segundos, nome=nome)  # fmt: skip
    await reply_html(update, context.bot, texts.voz_entendida(texto))
    await texto_livre(como_texto(update, texto, context), context)


ROTAS = Rotas(handlers=[MessageHandler(MESSAGES & (filters.VOICE | filters.AUDIO), ouvir)])
