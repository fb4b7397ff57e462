"""The Telegram side of the outbox: the transport its sender uses, and its start and stop.

`TelegramTransporte.enviar` turns one `notificacoes` row into sends through `bot.saida.envio`
(HTML in parts from `partes_enviadas` on, or text + entities) and returns the outcome
(`bot.saida.resultado`) for the sender (`bot.notificacoes.entrega`) to record. The pace is the
bot's (`bot.saida.ritmo.Limitador`). The sender's loop and `agendar` (the scheduler's tick) are
background tasks that bot.app registers in bot.tarefas.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.ext import Application

from bot.database import is_outage
from bot.saida import envio
from bot.saida.resultado import Resultado
from bot.services import Services
from db.models import Notificacao

log = logging.getLogger("cogep.delivery")
App = Application[Any, Any, Any, Any, Any, Any]
AoLiderar = Callable[[App], Awaitable[None]]
"""Run after each round this replica led (e.g. take over quiet announcement reporters)."""


class TelegramTransporte:
    """Sends outbox rows through a PTB bot."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def enviar(self, nota: Notificacao) -> Resultado:
        """Send the parts not sent yet."""
        markup = (
            InlineKeyboardMarkup.de_json({"inline_keyboard": nota.teclado}, self._bot)
            if nota.teclado
            else None
        )
        if nota.formato == "entidades":
            return await envio.enviar_entidades(
                self._bot, nota.chat_id, nota.texto, nota.entidades or [], teclado=markup
            )
        return await envio.enviar(
            self._bot, nota.chat_id, nota.texto, teclado=markup, desde=nota.partes_enviadas
        )


async def agendar(app: App, services: Services, *, ao_liderar: AoLiderar, intervalo: float) -> None:
    """Schedule the scheduler's tick every `intervalo` seconds (every replica runs one; the
    leader acts); 0 schedules nothing (COGEP_NOTIFICACOES_RODADA).

    The tick is PTB's JobQueue (APScheduler 3) with an interval trigger: it only decides who
    leads and finds due work (bot.notificacoes.vigia, state-driven, so a late or skipped tick
    loses nothing); `coalesce` and no misfire grace make a late tick run once, never be dropped.
    """
    if app.job_queue is not None and intervalo > 0:
        app.job_queue.run_repeating(
            _rodada,
            interval=intervalo,
            first=1.0,
            name="notificacoes",
            data=(services, ao_liderar),
            job_kwargs={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )


async def _rodada(context: Any) -> None:
    """Find due notices (on the scheduler leader only)."""
    services, ao_liderar = context.job.data
    try:
        if await services.notificacoes.rodada() is not None:  # this replica leads
            await ao_liderar(context.application)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("notices round skipped: database unreachable (%s)", exc)
