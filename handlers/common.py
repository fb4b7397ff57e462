"""Cross-cutting handlers: load the caller, guard registration, decode buttons, track blocks,
handle errors.

`registered` wraps a command handler `(update, context, usuario)`; `on_button(Kind, handler)`
routes one kind of button to `(update, context, usuario, botao)`. Both let in only registered
users with access, and hand over their row, so no handler checks it again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import ChatMember, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot import metricas, texts
from bot.database import is_outage
from bot.entrada.efeito import JaFeito
from bot.errors import CogepError, InvalidInput, explicavel
from bot.render import to_plain
from bot.saida.envio import RespostaAdiada, reply_html
from bot.usuarios import motivo_sem_acesso
from db.models import Usuario
from handlers.callbacks import Callback
from handlers.context import CogepContext

log = logging.getLogger("cogep.handlers")


Handler = Callable[[Update, CogepContext], Coroutine[Any, Any, Any]]
"""What PTB calls: a handler of one update."""
B = TypeVar("B", bound=Callback)
OnCommand = Callable[[Update, CogepContext, Usuario], Awaitable[None]]
OnButton = Callable[[Update, CogepContext, Usuario, B], Awaitable[None]]


def registered(callback: OnCommand) -> Handler:
    """Run the handler only for users who are let in, handing it their row; others are told
    why not."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: CogepContext) -> None:
        usuario = await admitido(update, context)
        if usuario is not None:
            await callback(update, context, usuario)

    return guarded


def on_button(kind: type[B], callback: OnButton[B]) -> CallbackQueryHandler[CogepContext, None]:
    """Route buttons of `kind` to `callback`, decoded, for users who are let in.

    Data that does not decode (stale, forged, from an older version) is answered as an expired
    button and changes nothing.
    """

    @functools.wraps(callback)
    async def pressed(update: Update, context: CogepContext) -> None:
        usuario = await admitido(update, context)
        if usuario is None:
            return
        assert update.callback_query is not None
        botao = kind.decode(update.callback_query.data)
        if botao is None:
            raise InvalidInput(texts.BOTAO_EXPIRADO)
        await callback(update, context, usuario, botao)

    return CallbackQueryHandler(pressed, pattern=kind.pattern())


async def botao_desconhecido(update: Update, context: CogepContext) -> None:
    """A button no kind claims (from a retired format, or forged): answered as expired."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.BOTAO_EXPIRADO)


async def admitido(update: Update, context: CogepContext) -> Usuario | None:
    """The caller's row when they are registered and let in; else None, after telling them."""
    user = update.effective_user
    usuario = await context.carregar_usuario(user.id if user else None)
    motivo = texts.PRECISA_CADASTRO if usuario is None else motivo_sem_acesso(usuario)
    if motivo is None:
        await _largar_pergunta_esquecida(update, context)
        return usuario
    if update.callback_query is not None:
        await update.callback_query.answer(to_plain(motivo)[:200], show_alert=True)
    elif update.effective_chat is not None:
        await reply_html(update, context.bot, motivo)
    return None


async def _largar_pergunta_esquecida(update: Update, context: CogepContext) -> None:
    """A new command means the person moved on: an open one-question prompt must not take
    their next message (a comment typed for another processo, a title for the wrong one)."""
    message, user = update.message, update.effective_user
    texto = message.text if message is not None and message.text else ""
    if not texto.startswith("/") or user is None or message is None:
        return
    if texto.split(maxsplit=1)[0].split("@")[0].lower() == "/cancelar":
        return  # /cancelar ends the prompt itself, and says so
    await context.services.fluxos.largar_pergunta(chat_id=message.chat_id, telegram_id=user.id)


async def track_block(update: Update, context: CogepContext) -> None:
    """Mark the user inactive when they block the bot, active again when they return."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    bloqueou = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    await _bloqueio(context, change.from_user.id, bloqueou=bloqueou)


async def _bloqueio(context: CogepContext, telegram_id: int, *, bloqueou: bool) -> None:
    """Record that the user blocked the bot (inactive, pending notices dropped), or came back."""
    if bloqueou:
        await context.services.notificacoes.bloqueou(telegram_id)
    else:
        await context.services.usuarios.marcar_ativo(telegram_id, True)
    log.info("user %s %s the bot", telegram_id, "blocked" if bloqueou else "unblocked")


async def on_error(update: object, context: CogepContext) -> None:
    """Log the failure with the update id first, then tell the user something useful."""
    error = context.error
    if not isinstance(error, RespostaAdiada):  # a reply stored for later is no failure
        metricas.falhou(error)
    if not isinstance(update, Update):
        _log_outside_update(error)
        return
    chat = update.effective_chat
    private = chat is not None and chat.type == "private"
    if isinstance(error, Forbidden) and private and update.effective_user is not None:
        await _bloqueio(context, update.effective_user.id, bloqueou=True)
        return
    if isinstance(error, RespostaAdiada):  # stored, sent when Telegram lets us: all is well
        return
    if isinstance(error, RetryAfter):  # Telegram's flood control, not a bug; an apology would
        log.warning("update %s: Telegram flood control (%s)", update.update_id, error.message)
        return  # meet the same 429
    if isinstance(error, CogepError) and explicavel(error):
        message = error.message or texts.ERRO_INTERNO
    elif error is not None and is_outage(error):
        log.error("update %s: database unreachable: %s", update.update_id, error)
        message = texts.BANCO_INDISPONIVEL
    else:
        log.error("update %s failed", update.update_id, exc_info=error)
        message = texts.ERRO_INTERNO
    await _tell(update, context, message)
    if isinstance(error, JaFeito):  # a replay of a done update: no later handler group runs
        raise ApplicationHandlerStop


def _log_outside_update(error: BaseException | None) -> None:
    """Polling errors arrive here too, and PTB retries them: one clear line, not a traceback."""
    if isinstance(error, Conflict):
        log.error(
            "Telegram answered 409 Conflict (%s): another process is polling with this token, or "
            "a webhook is set. Stop the other one; Cogep keeps retrying.",
            error.message,
        )
    elif isinstance(error, NetworkError) and _banco_fora(error):  # bot.entrada.porta's
        # EntradaIndisponivel: the inbox could not store a batch; PTB polls again later
        log.warning("database unreachable: new updates wait at Telegram until it is back")
    elif isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("Telegram is unreachable (%s); retrying", error.message)
    else:
        log.error("error outside an update", exc_info=error)


def _banco_fora(error: BaseException) -> bool:
    """The error was caused by the database being unreachable."""
    return error.__cause__ is not None and is_outage(error.__cause__)


async def _tell(update: Update, context: CogepContext, message: str) -> None:
    """Deliver the error message as a callback answer or a chat message, never raising."""
    try:
        if update.callback_query is not None:
            plain = to_plain(message)
            try:
                await update.callback_query.answer(plain[:200], show_alert=len(plain) > 60)
                return
            except BadRequest:  # already answered by the handler: say it in the chat instead
                pass
        if update.effective_chat is not None and update.effective_chat.type != "channel":
            await reply_html(update, context.bot, message)
    except Exception:  # the apology itself failed: log it, there is nobody left to tell
        log.exception("update %s: could not deliver the error message", update.update_id)
