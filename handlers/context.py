"""The typed callback context: `context.bot_data` is an `AppState`, `context.services` its
services, `context.usuario` the caller's row.

PTB's `bot_data` is a dict by default, reached with string keys that no type checker follows;
here it is a dataclass (`ContextTypes(bot_data=AppState)`), so what the application holds for
its lifetime is listed, and typed, in one place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services
from bot.tarefas import Tarefas
from db.models import Usuario

if TYPE_CHECKING:
    from bot.mentor.fila import Fila
    from bot.mentor.recursos import RecursosDoServidor
    from bot.web import ServidorWeb
    from handlers.formulario import Conversas
    from handlers.rotas import Comandos


@dataclass(eq=False)
class AppState:
    """What the application holds for its lifetime (PTB builds it empty, as `bot_data`).

    `services` and `tarefas` are set by the composition root (`bot.app`) before the first
    update, `conversas` and `comandos` by `handlers.register`; the rest is created on first use.
    """

    services: Services = field(init=False, repr=False)
    tarefas: Tarefas = field(init=False, repr=False)
    conversas: Conversas = field(init=False, repr=False)
    comandos: Comandos = field(init=False, repr=False)
    fila_do_mentor: Fila | None = field(default=None, repr=False)
    recursos_do_mentor: RecursosDoServidor | None = field(default=None, repr=False)
    avisos_acompanhados: dict[int, asyncio.Task[None]] = field(default_factory=dict, repr=False)
    # The process's web server (bot.web), built with the services; `bot.app.serving` runs it.
    web: ServidorWeb | None = field(default=None, repr=False)


class CogepContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppState]):
    """Callback context carrying the services and the caller's user row.

    The row is loaded on first need (`carregar_usuario`, which the `registered` guard calls) and
    kept for the rest of the update: /start, which upserts and gets the row back, costs one
    round trip instead of two.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.usuario: Usuario | None = None
        self._carregado = False

    async def carregar_usuario(self, telegram_id: int | None) -> Usuario | None:
        """The caller's row, read once per update."""
        if not self._carregado and telegram_id is not None:
            self.usuario = await self.services.usuarios.carregar(telegram_id)
            self._carregado = True
        return self.usuario

    @property
    def services(self) -> Services:
        """The services built at start-up."""
        return self.bot_data.services


CogepApplication = Application[Any, Any, Any, Any, AppState, Any]
"""The PTB Application that `bot.app.build_application` builds."""
