"""The Telegram side of the outbox: the transport the sender uses, and its start and stop.

`TelegramTransporte.enviar` turns one `notificacoes` row into sendMessage calls (HTML split
under the limit, falling back to plain text when Telegram cannot parse it; or text + entities)
and PTB's errors into the sender's outcomes (bot.notificacoes.entrega). The sender's loop and
`agendar`/`parar` (the scheduler's tick and lead) are background tasks that bot.app registers
in bot.tarefas; `enfileirar_resposta` is the door for a reply that met flood control beyond
its retries.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, MessageEntity
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.database import is_outage
from bot.notificacoes.entrega import Bloqueado, Definitiva, Espere, Transitoria
from bot.render import split_html, to_plain
from db.models import Notificacao
from handlers import aviso
from handlers.context import CogepApplication

log = logging.getLogger("cogep.delivery")
RODADA_A_CADA = 30.0  # seconds between scheduler rounds


class TelegramTransporte:
    """Sends outbox rows through a PTB bot."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def enviar(self, nota: Notificacao) -> int:
        """Send the parts not sent yet; the number of parts once all went through."""
        markup = (
            InlineKeyboardMarkup.de_json({"inline_keyboard": nota.teclado}, self._bot)
            if nota.teclado
            else None
        )
        partes = [nota.texto] if nota.formato == "entidades" else (split_html(nota.texto) or ["…"])
        for i in range(nota.partes_enviadas, len(partes)):
            ultima = i == len(partes) - 1
            try:
                await self._parte(nota, partes[i], markup if ultima else None)
            except RetryAfter as exc:
                espera = exc.retry_after
                segundos = espera.total_seconds() if isinstance(espera, timedelta) else espera
                raise Espere(float(segundos), partes=i) from None
            except Forbidden as exc:
                raise Bloqueado(exc.message, partes=i) from None
            except BadRequest as exc:
                raise Definitiva(exc.message, partes=i) from None
            except NetworkError as exc:  # TimedOut included
                raise Transitoria(f"{type(exc).__name__}: {exc.message}", partes=i) from None
            except TelegramError as exc:
                raise Transitoria(exc.message, partes=i) from None
        return len(partes)

    async def _parte(
        self, nota: Notificacao, texto: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        if nota.formato == "entidades":
            entidades = [MessageEntity.de_json(e, self._bot) for e in nota.entidades or []]
            await self._bot.send_message(
                nota.chat_id, texto, entities=[e for e in entidades if e is not None],
                reply_markup=markup, disable_web_page_preview=True,
            )  # fmt: skip
            return
        try:
            await self._bot.send_message(
                nota.chat_id, texto, parse_mode=ParseMode.HTML, reply_markup=markup,
                disable_web_page_preview=True,
            )  # fmt: skip
        except BadRequest as exc:
            if "can't parse entities" not in exc.message.lower():
                raise
            log.warning("notice %s: HTML refused, sending plain text: %s", nota.chave, exc.message)
            await self._bot.send_message(nota.chat_id, to_plain(texto), reply_markup=markup)


async def agendar(app: CogepApplication) -> None:
    """Schedule the scheduler's tick (every replica runs one; the leader acts).

    The tick is PTB's JobQueue (APScheduler 3) with an interval trigger: it only decides who
    leads and finds due work (bot.notificacoes.vigia, state-driven, so a late or skipped tick
    loses nothing); `coalesce` and no misfire grace make a late tick run once, never be dropped.
    """
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _rodada,
            interval=RODADA_A_CADA,
            first=1.0,
            name="notificacoes",
            job_kwargs={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )


async def _rodada(context: Any) -> None:
    """Find due notices (on the scheduler leader only)."""
    services = context.application.bot_data.services
    try:
        if await services.notificacoes.rodada() is not None:  # this replica leads
            await aviso.retomar(context.application)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("notices round skipped: database unreachable (%s)", exc)


async def parar(app: CogepApplication) -> None:
    """Give up the scheduler's lead; rows in flight keep their lease and are finished by
    whoever is next."""
    await app.bot_data.services.notificacoes.lider.largar()


async def enfileirar_resposta(
    app: CogepApplication,
    chat_id: int,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    chave: str | None = None,
) -> bool:
    """Queue a Telegram-HTML reply for later delivery (flood control beyond its retries)."""
    services = app.bot_data.services
    teclado = keyboard.to_dict()["inline_keyboard"] if keyboard is not None else None
    return await services.notificacoes.caixa.enfileirar_resposta(
        chat_id, html, teclado=teclado, chave=chave
    )
