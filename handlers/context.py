"""The typed callback context: `context.services` and the caller's `context.usuario`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services
from db.models import Usuario

SERVICES_KEY = "services"


class CogepContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Callback context carrying the services and the caller's user row.

    PTB builds one context per update and reuses it across handler groups, so the user loaded
    by the early group (-1) is there for every later handler without another query.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.usuario: Usuario | None = None

    @property
    def services(self) -> Services:
        """The services built at start-up."""
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services
