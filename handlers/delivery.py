"""Direct delivery of notices through the bot (until the notices issue adds the durable log)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.avisos import Acoes
from bot.services import Services
from handlers.context import SERVICES_KEY
from handlers.reply import send_html

log = logging.getLogger("cogep.delivery")


class TelegramNotifier:
    """Sends a notice beside the reply; a user who blocked the bot is marked inactive."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._app = app

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Queue `html` for the user and return at once.

        The person who made the change should not wait for other people's notices (a 429 on
        one would hold their reply for seconds). PTB awaits these tasks when the bot stops.
        """
        teclado = (
            InlineKeyboardMarkup([[InlineKeyboardButton(r, callback_data=d) for r, d in acoes]])
            if acoes
            else None
        )
        self._app.create_task(
            self._deliver(telegram_id, html, teclado), name=f"notice-{telegram_id}"
        )

    async def _deliver(
        self, telegram_id: int, html: str, teclado: InlineKeyboardMarkup | None
    ) -> None:
        """Send, logging (not raising) when Telegram refuses."""
        try:
            await send_html(self._app.bot, telegram_id, html, keyboard=teclado)
        except Forbidden:
            services: Services = self._app.bot_data[SERVICES_KEY]
            await services.usuarios.marcar_ativo(telegram_id, False)
            log.info("user %s blocked the bot; marked inactive", telegram_id)
        except TelegramError as exc:
            log.warning("notice to %s not delivered: %s", telegram_id, exc)
