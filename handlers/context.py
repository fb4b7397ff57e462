"""The typed callback context: `context.services` and the caller's `context.usuario`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services
from db.models import Usuario

SERVICES_KEY = "services"


class CogepContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
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
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services
