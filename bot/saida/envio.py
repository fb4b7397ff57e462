"""Sending and editing Telegram-HTML: the one place that knows how Telegram answers.

    enviar(bot, chat, html)          -> Resultado  every part from `desde` on (split under 4096,
                                                   each falling back to plain text when
                                                   Telegram "can't parse entities")
    enviar_entidades(bot, chat, ...) -> Resultado  plain text + MessageEntity dicts
    editar(bot, chat, id, html)      -> Resultado  "message is not modified" is a success; a
                                                   message gone or too old is sent anew
    classificar(erro)                -> Resultado  the one reading of Telegram's errors

The handlers' calls raise instead (PTB's errors reach `handlers.common.on_error`):
`send_html`/`reply_html` wait out a 429 `FLOOD_RETRIES` times (Telegram guarantees a refused
message was not sent, so the retry cannot duplicate it; a timeout gives no such guarantee and
is not retried, except by `send_html(teimoso=True)`, which sends a refused part once more as
plain text, for an answer that must arrive), then hand what is left to the outbox
(`FilaDeRespostas`, the `resposta` kind, sent before any notice) and raise `RespostaAdiada`,
which ends the handler quietly.
`edit_html` and `edit_teclado` wait out 429s the same way; `redesenhar` edits the message whose
button was pressed, or answers below it when that one is gone. Pacing is not done here but on the
bot itself (`bot.saida.ritmo.Limitador`), so no send of the process escapes it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from telegram import Bot, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.errors import Interno
from bot.render import split_html, to_plain
from bot.saida.resultado import Bloqueado, Enviada, Espere, Falhou, Resultado
from bot.saida.ritmo import Limitador, segundos

log = logging.getLogger("cogep.envio")
T = TypeVar("T")
FLOOD_RETRIES = 3
# How Telegram words the BadRequests that are not plain failures (lower case).
NAO_MODIFICADA = "message is not modified"
HTML_INVALIDO = "can't parse entities"
SUMIU = ("message to edit not found", "message can't be edited")
METODO_DESCONHECIDO = ("method not found", "not supported", "unknown method", "not implemented")


class RespostaAdiada(Interno):
    """The reply went to the outbox, to be sent after Telegram's `retry_after`."""


@runtime_checkable
class FilaDeRespostas(Protocol):
    """Where a reply refused by 429 past its retries waits (`bot.notificacoes.Caixa`)."""

    async def enfileirar_resposta(
        self, chat_id: int, texto: str, *, teclado: list[list[dict[str, str]]] | None = None,
        depois: float = 0.0,
    ) -> bool:  # fmt: skip
        """Queue the reply, due in `depois` seconds."""


@runtime_checkable
class ComFilaDeRespostas(Protocol):
    """A bot that knows where held-back replies wait (the app's `BotComEntrada`)."""

    @property
    def respostas(self) -> FilaDeRespostas | None:
        """The queue, once the database is bound."""


# -- reading Telegram's answers -----------------------------------------------------------------
def descricao(erro: TelegramError) -> str:
    """Telegram's description, lower case, for matching."""
    return erro.message.lower()


def nao_modificada(erro: TelegramError) -> bool:
    """An edit to the text the message already has."""
    return isinstance(erro, BadRequest) and NAO_MODIFICADA in descricao(erro)


def html_invalido(erro: TelegramError) -> bool:
    """Telegram could not parse the HTML."""
    return isinstance(erro, BadRequest) and HTML_INVALIDO in descricao(erro)


def sumiu(erro: TelegramError) -> bool:
    """The message to edit is gone, or too old to edit."""
    return isinstance(erro, BadRequest) and any(s in descricao(erro) for s in SUMIU)


def metodo_desconhecido(erro: TelegramError) -> bool:
    """The Bot API server does not know the method (rather than disliking this one call)."""
    if isinstance(erro, EndPointNotFound):
        return True
    return isinstance(erro, BadRequest) and any(r in descricao(erro) for r in METODO_DESCONHECIDO)


def _vale_texto_simples(erro: TelegramError) -> bool:
    """Whether plain text may get through where HTML did not: anything but a 429 (which asks
    to wait) and a 403 (which no text changes)."""
    return not isinstance(erro, RetryAfter | Forbidden)


def classificar(erro: TelegramError, *, partes: int = 0) -> Espere | Bloqueado | Falhou:
    """What a Telegram error means for the send (`partes` of it went through)."""
    if isinstance(erro, RetryAfter):
        return Espere(segundos(erro), partes=partes)
    if isinstance(erro, Forbidden):
        return Bloqueado(erro.message, partes=partes)
    if isinstance(erro, BadRequest):  # a NetworkError in PTB's tree: tested first
        return Falhou(erro.message, partes=partes)
    if isinstance(erro, NetworkError):  # TimedOut included
        return Falhou(f"{type(erro).__name__}: {erro.message}", partes=partes, transitoria=True)
    return Falhou(erro.message, partes=partes, transitoria=True)


# -- sends that return an outcome -----------------------------------------------------------------
@dataclass(frozen=True)
class _Tentativa:
    """An outcome, the last message sent, and the error behind a failure."""

    resultado: Resultado
    mensagem: Message | None = None
    erro: TelegramError | None = None


async def enviar(
    bot: Bot, chat_id: int, html: str, *, teclado: InlineKeyboardMarkup | None = None,
    responder_a: int | None = None, desde: int = 0,
) -> Resultado:  # fmt: skip
    """Send `html` from part `desde` on; the teclado goes on the last part."""
    tentativa = await _enviar(bot, chat_id, html, teclado=teclado, responder_a=responder_a,
                              desde=desde)  # fmt: skip
    return tentativa.resultado


async def enviar_entidades(
    bot: Bot, chat_id: int, texto: str, entidades: list[dict[str, Any]],
    *, teclado: InlineKeyboardMarkup | None = None,
) -> Resultado:  # fmt: skip
    """Send plain `texto` with its entities (Bot API MessageEntity dicts), in one message."""
    lista = [e for e in (MessageEntity.de_json(d, bot) for d in entidades) if e is not None]
    try:
        await bot.send_message(chat_id, texto, entities=lista, reply_markup=teclado,
                               disable_web_page_preview=True)  # fmt: skip
    except TelegramError as erro:
        return classificar(erro)
    return Enviada(1)


async def editar(
    bot: Bot, chat_id: int, mensagem_id: int, html: str,
    *, teclado: InlineKeyboardMarkup | None = None,
) -> Resultado:  # fmt: skip
    """Replace a bot message's text (one part; a longer text is sent as new messages)."""
    return (await _editar(bot, chat_id, mensagem_id, html, teclado=teclado)).resultado


async def _enviar(
    bot: Bot, chat_id: int, html: str, *, teclado: InlineKeyboardMarkup | None,
    responder_a: int | None, desde: int, teimoso: bool = False,
) -> _Tentativa:  # fmt: skip
    partes = split_html(html) or ["…"]
    mensagem: Message | None = None
    for i in range(desde, len(partes)):
        ultima = i == len(partes) - 1
        try:
            mensagem = await _parte(bot, chat_id, partes[i], teclado=teclado if ultima else None,
                                    responder_a=responder_a if i == 0 else None,
                                    teimoso=teimoso)  # fmt: skip
        except TelegramError as erro:
            return _Tentativa(classificar(erro, partes=i), mensagem, erro)
    return _Tentativa(Enviada(len(partes)), mensagem)


async def _parte(
    bot: Bot, chat_id: int, html: str, *, teclado: InlineKeyboardMarkup | None,
    responder_a: int | None, teimoso: bool = False,
) -> Message:  # fmt: skip
    try:
        return await bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=teclado,
            reply_to_message_id=responder_a, allow_sending_without_reply=True,
            disable_web_page_preview=True,
        )  # fmt: skip
    except TelegramError as erro:
        if not (html_invalido(erro) or (teimoso and _vale_texto_simples(erro))):
            raise
        log.warning("HTML refused by Telegram, sending as plain text: %s", erro.message)
        return await bot.send_message(
            chat_id, to_plain(html), reply_markup=teclado, reply_to_message_id=responder_a,
            allow_sending_without_reply=True,
        )  # fmt: skip


async def _editar(
    bot: Bot, chat_id: int, mensagem_id: int, html: str, *, teclado: InlineKeyboardMarkup | None
) -> _Tentativa:
    partes = split_html(html) or ["…"]
    if len(partes) > 1:
        return await _enviar(bot, chat_id, html, teclado=teclado, responder_a=None, desde=0)
    try:
        try:
            await bot.edit_message_text(
                partes[0], chat_id=chat_id, message_id=mensagem_id, parse_mode=ParseMode.HTML,
                reply_markup=teclado, disable_web_page_preview=True,
            )  # fmt: skip
        except BadRequest as erro:
            if nao_modificada(erro):
                return _Tentativa(Enviada(1))
            if sumiu(erro):
                return await _enviar(bot, chat_id, html, teclado=teclado, responder_a=None,
                                     desde=0)  # fmt: skip
            if not html_invalido(erro):
                raise
            await bot.edit_message_text(to_plain(partes[0]), chat_id=chat_id,
                                        message_id=mensagem_id, reply_markup=teclado)  # fmt: skip
    except TelegramError as erro:
        if nao_modificada(erro):
            return _Tentativa(Enviada(1))
        return _Tentativa(classificar(erro), erro=erro)
    return _Tentativa(Enviada(1))


# -- the handlers' calls: they raise, and a reply refused by 429 goes to the outbox ---------------
async def _esperar(bot: Bot, chat_id: int, espera: float) -> None:
    """Wait out a 429 before retrying: the pacer on the bot already does, for that chat."""
    if isinstance(bot, ExtBot) and isinstance(bot.rate_limiter, Limitador):
        return
    log.warning("Telegram flood control in chat %s: waiting %.0f s", chat_id, espera)
    await asyncio.sleep(espera)


async def _com_esperas(
    bot: Bot, chat_id: int, tentar: Callable[[], Awaitable[_Tentativa]]
) -> _Tentativa:
    """`tentar` again while Telegram answers 429, at most `FLOOD_RETRIES` more times."""
    for vez in range(FLOOD_RETRIES + 1):
        tentativa = await tentar()
        if not isinstance(tentativa.resultado, Espere) or vez == FLOOD_RETRIES:
            return tentativa
        await _esperar(bot, chat_id, tentativa.resultado.segundos)
    raise AssertionError("unreachable")


async def com_esperas(bot: Bot, chat_id: int, chamada: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call that is not a send of HTML, waiting out and retrying 429s."""
    for vez in range(FLOOD_RETRIES + 1):
        try:
            return await chamada()
        except RetryAfter as erro:
            if vez == FLOOD_RETRIES:
                raise
            await _esperar(bot, chat_id, segundos(erro))
    raise AssertionError("unreachable")


def _falha(tentativa: _Tentativa) -> TelegramError:
    assert tentativa.erro is not None
    return tentativa.erro


async def send_html(
    bot: Bot, chat_id: int, html: str, *, teclado: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None, adiavel: bool = True, teimoso: bool = False,
) -> Message:  # fmt: skip
    """Send `html` in as many parts as needed (the teclado on the last); the last message.

    `adiavel`: what Telegram still refuses with 429 after the retries goes to the outbox
    (`RespostaAdiada` is raised); otherwise the RetryAfter is. `teimoso`: a part refused for
    any other reason (a 400, a 5xx, a timeout, the network) is sent once more as plain text
    before giving up, for a text that must arrive (the mentor's final answer).
    """
    feitas = 0

    async def tentar() -> _Tentativa:
        primeira = reply_to if feitas == 0 else None
        return await _enviar(bot, chat_id, html, teclado=teclado, responder_a=primeira,
                             desde=feitas, teimoso=teimoso)  # fmt: skip

    while True:
        tentativa = await _com_esperas(bot, chat_id, tentar)
        resultado = tentativa.resultado
        if isinstance(resultado, Enviada):
            assert tentativa.mensagem is not None
            return tentativa.mensagem
        if not isinstance(resultado, Espere) or resultado.partes == feitas:
            break
        feitas = resultado.partes  # some parts went through: the retries start afresh
    fila = bot.respostas if isinstance(bot, ComFilaDeRespostas) else None
    if not isinstance(resultado, Espere) or fila is None or not adiavel:
        raise _falha(tentativa)
    resto = "".join((split_html(html) or ["…"])[resultado.partes :])
    linhas = teclado.to_dict()["inline_keyboard"] if teclado is not None else None
    await fila.enfileirar_resposta(chat_id, resto, teclado=linhas, depois=resultado.segundos)
    log.info("reply to chat %s held back by flood control; sending in %.0f s", chat_id,
             resultado.segundos)  # fmt: skip
    raise RespostaAdiada from tentativa.erro


async def reply_html(
    update: Update, bot: Bot, html: str, *, teclado: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer in the chat the update came from."""
    assert update.effective_chat is not None
    return await send_html(bot, update.effective_chat.id, html, teclado=teclado)


async def edit_html(
    message: Message, html: str, *, teclado: InlineKeyboardMarkup | None = None
) -> None:
    """Replace a bot message's text; an unchanged text is a success, a long one is re-sent."""
    bot = message.get_bot()
    if len(split_html(html) or ["…"]) > 1:
        await send_html(bot, message.chat_id, html, teclado=teclado)
        return
    tentativa = await _com_esperas(
        bot, message.chat_id,
        lambda: _editar(bot, message.chat_id, message.message_id, html, teclado=teclado),
    )  # fmt: skip
    if not isinstance(tentativa.resultado, Enviada):
        raise _falha(tentativa)


async def redesenhar(
    update: Update,
    bot: Bot,
    html: str,
    *,
    teclado: InlineKeyboardMarkup | None = None,
    no_lugar: bool = True,
) -> None:
    """Replace the message whose button was pressed (if `no_lugar` and it is still there);
    otherwise answer below it."""
    query = update.callback_query
    if no_lugar and query is not None and isinstance(query.message, Message):
        await edit_html(query.message, html, teclado=teclado)
    else:
        await reply_html(update, bot, html, teclado=teclado)


async def edit_teclado(message: Message, teclado: InlineKeyboardMarkup) -> None:
    """Swap a bot message's buttons, keeping its text; pressing twice is not an error."""
    try:
        await com_esperas(message.get_bot(), message.chat_id,
                          lambda: message.edit_reply_markup(reply_markup=teclado))  # fmt: skip
    except BadRequest as erro:
        if not nao_modificada(erro):
            raise
