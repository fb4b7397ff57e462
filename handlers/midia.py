"""Voice, audio and pictures from the chat, for the mentor.

Voice notes and audio files: transcribed, shown ("🎙 …"), then handled exactly as if typed.

What was heard goes through `handlers.texto.texto_livre` as a text message of its own: the
answer to the current guided step, a question for the mentor, a group reply to the bot. A
command is never run from speech (a leading "/" is dropped). In a group only a note that
replies to the bot is heard, as only such text would be. Transcription: `bot.mentor.voz`.

Photos and image documents: a question for the mentor with the picture as an image part (a
base64 data URL of the largest size Telegram offers under IMAGEM_MAX_BYTES), the caption as
the question; in a group, only a photo whose caption mentions the bot or that replies to it.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from telegram import Document, Message, PhotoSize, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.saida.envio import reply_html
from handlers.common import admitido
from handlers.context import CogepContext
from handlers.mentor import perguntar_com_imagem
from handlers.rotas import MESSAGES, Rotas
from handlers.texto import texto_livre

IMAGEM_MAX_BYTES = 5 * 1024 * 1024  # the largest photo size sent to the model


def _para_o_bot(message: Message, bot_id: int, bot_username: str = "") -> bool:
    """Private chats always; in a group, media that replies to one of the bot's messages (or
    whose caption mentions it)."""
    if message.chat.type == "private":
        return True
    legenda = (message.caption or "").lower()
    if bot_username and f"@{bot_username.lower()}" in legenda:
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


def _maior_que_cabe(message: Message) -> PhotoSize | Document | None:
    """The largest size of the photo under IMAGEM_MAX_BYTES, or the image document."""
    if message.document is not None:
        tamanho = message.document.file_size or 0
        return message.document if tamanho <= IMAGEM_MAX_BYTES else None
    cabem = [p for p in message.photo if (p.file_size or 0) <= IMAGEM_MAX_BYTES]
    return max(cabem, key=lambda p: p.file_size or p.width * p.height, default=None)


async def ver(update: Update, context: CogepContext) -> None:
    """Ask the mentor about a photo or image document (its caption is the question)."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    if not _para_o_bot(message, context.bot.id, context.bot.username):
        return
    usuario = await admitido(update, context)
    if usuario is None:
        return
    escolhida = _maior_que_cabe(message)
    if escolhida is None:
        await reply_html(update, context.bot, texts.IMAGEM_GRANDE)
        return
    arquivo = await escolhida.get_file()
    conteudo = bytes(await arquivo.download_as_bytearray())
    tipo = getattr(escolhida, "mime_type", None) or "image/jpeg"
    imagem = f"data:{tipo};base64,{base64.b64encode(conteudo).decode('ascii')}"
    await perguntar_com_imagem(update, context, usuario, legenda=message.caption or "",
                               imagem=imagem)  # fmt: skip


ROTAS = Rotas(
    handlers=[
        MessageHandler(MESSAGES & (filters.VOICE | filters.AUDIO), ouvir),
        MessageHandler(MESSAGES & (filters.PHOTO | filters.Document.IMAGE), ver),
    ]
)
