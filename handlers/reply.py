"""Sending Telegram-HTML safely: split under the limit, fall back to plain text on a parse error.

Every user-visible send of the handlers goes through `send_html`, so no message can be lost to
"can't parse entities" or "message is too long", and "message is not modified" is a success.
A 429 (flood control) is waited out and retried: Telegram guarantees the message was not sent,
so the retry cannot duplicate it (a timeout gives no such guarantee and is not retried). A reply
still refused after the retries is not lost: it is stored with its `retry_after`
(`bot.entrada.respostas`) and sent when the chat is free, and `RespostaAdiada` ends the handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, TypeVar, runtime_checkable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ExtBot
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from bot.entrada.respostas import Adiar, FilaDeRespostas, RespostaAdiada
from bot.render import split_html, to_plain

log = logging.getLogger("cogep.reply")
T = TypeVar("T")
FLOOD_RETRIES = 3


@runtime_checkable
class ComRespostasAdiadas(Protocol):
    """A bot that can hold back a reply refused by 429 (the app's `BotComEntrada`)."""

    @property
    def respostas(self) -> FilaDeRespostas | None:
        """Where such a reply waits, once the database is bound."""


def _flood_wait(state: RetryCallState) -> float:
    """The pause Telegram asked for in its 429."""
    error = state.outcome.exception() if state.outcome else None
    delay = error.retry_after if isinstance(error, RetryAfter) else 1
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
    log.warning("Telegram flood control: waiting %.0f s before retrying", seconds)
    return seconds


async def with_flood_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, waiting out and retrying 429 responses."""
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(RetryAfter),
        wait=_flood_wait,
        stop=stop_after_attempt(FLOOD_RETRIES + 1),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity reraises")


async def send_html(
    bot: ExtBot[None],
    chat_id: int,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    adiavel: bool = True,
) -> Message:
    """Send `html` in as many parts as needed; the keyboard goes on the last part.

    `adiavel`: a part Telegram still refuses with 429 after the retries is stored and sent
    later (with the rest), and `RespostaAdiada` is raised.
    """
    parts = split_html(html) or ["…"]
    sent: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        try:
            sent = await _send_part(
                bot,
                chat_id,
                part,
                keyboard=keyboard if last else None,
                reply_to=reply_to if index == 0 else None,
            )
        except RetryAfter as exc:
            fila = bot.respostas if isinstance(bot, ComRespostasAdiadas) else None
            if fila is None or not adiavel:
                raise
            resto = "".join(parts[index:])  # each part fits; the queue splits again when sending
            teclado = keyboard.to_dict() if keyboard is not None else None
            await fila.adiar(chat_id, resto, teclado=teclado, segundos=_segundos(exc))
            raise RespostaAdiada from exc
    assert sent is not None
    return sent


def _segundos(exc: RetryAfter) -> float:
    delay = exc.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


async def send_later_part(
    bot: ExtBot[None], chat_id: int, html: str, keyboard: dict[str, Any] | None
) -> None:
    """Deliver a held-back reply (`bot.entrada.respostas.Enviar`): a 429 says when to retry."""
    teclado = InlineKeyboardMarkup.de_json(keyboard, bot) if keyboard else None
    try:
        await send_html(bot, chat_id, html, keyboard=teclado, adiavel=False)
    except RetryAfter as exc:
        raise Adiar(_segundos(exc)) from exc


async def _send_part(
    bot: ExtBot[None],
    chat_id: int,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None,
    reply_to: int | None,
) -> Message:
    try:
        return await with_flood_retry(
            lambda: bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                reply_to_message_id=reply_to,
                allow_sending_without_reply=True,
                disable_web_page_preview=True,
            )
        )
    except BadRequest as exc:
        if "can't parse entities" not in exc.message.lower():
            raise
        log.warning("HTML refused by Telegram, sending as plain text: %s", exc.message)
        return await with_flood_retry(
            lambda: bot.send_message(chat_id, to_plain(html), reply_markup=keyboard)
        )


async def reply_html(
    update: Update, bot: ExtBot[None], html: str, *, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer in the chat the update came from."""
    assert update.effective_chat is not None
    return await send_html(bot, update.effective_chat.id, html, keyboard=keyboard)


async def edit_html(
    message: Message, html: str, *, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Replace a bot message's text; an unchanged text is a success, a long one is re-sent."""
    parts = split_html(html) or ["…"]
    if len(parts) > 1:
        await send_html(message.get_bot(), message.chat_id, html, keyboard=keyboard)  # type: ignore[arg-type]
        return
    try:
        await with_flood_retry(
            lambda: message.edit_text(
                parts[0],
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            )
        )
    except BadRequest as exc:
        text = exc.message.lower()
        if "message is not modified" in text:
            return
        if "can't parse entities" in text:
            await message.edit_text(to_plain(parts[0]), reply_markup=keyboard)
            return
        if "message to edit not found" in text or "message can't be edited" in text:
            await send_html(message.get_bot(), message.chat_id, html, keyboard=keyboard)  # type: ignore[arg-type]
            return
        raise


async def edit_keyboard(message: Message, keyboard: InlineKeyboardMarkup) -> None:
    """Swap a bot message's buttons, keeping its text; pressing twice is not an error."""
    try:
        await with_flood_retry(lambda: message.edit_reply_markup(reply_markup=keyboard))
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():
            raise
