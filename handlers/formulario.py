"""A guided form: questions asked one at a time, answers kept in a persisted `Fluxo`.

/novo and /contato novo are both forms; each only says how to validate an answer and what to do
with the complete set of answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.fluxos import Fluxo
from handlers.context import CogepContext
from handlers.reply import reply_html

Pergunta = tuple[str, InlineKeyboardMarkup | None]


@dataclass(frozen=True)
class Formulario:
    """An ordered set of questions under one flow name."""

    nome: str
    perguntas: dict[str, Pergunta]

    @property
    def passos(self) -> tuple[str, ...]:
        """The steps, in order."""
        return tuple(self.perguntas)

    async def perguntar(
        self, update: Update, context: CogepContext, passo: str, dados: dict[str, Any]
    ) -> None:
        """Remember where the user is, then ask the question of `passo`."""
        await self.salvar(update, context, Fluxo(self.nome, passo, dados))
        texto, teclado = self.perguntas[passo]
        await reply_html(update, context.bot, texto, keyboard=teclado)

    async def avancar(
        self, update: Update, context: CogepContext, fluxo: Fluxo, dados: dict[str, Any]
    ) -> bool:
        """Ask the next question not answered yet; False when there is none left.

        A step already in `dados` (even as None: "not wanted") was answered before, e.g. in the
        one-line /novo that fell back to this form at its faulty field.
        """
        depois = self.passos[self.passos.index(fluxo.passo) + 1 :]
        seguinte = next((passo for passo in depois if passo not in dados), None)
        if seguinte is None:
            return False
        await self.perguntar(update, context, seguinte, dados)
        return True

    @staticmethod
    async def salvar(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
        """Remember where the user is in this chat."""
        assert update.effective_chat is not None and update.effective_user is not None
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id, telegram_id=update.effective_user.id, fluxo=fluxo
        )

    async def atual(self, update: Update, context: CogepContext) -> Fluxo | None:
        """The user's live flow, if it is this form."""
        assert update.effective_chat is not None and update.effective_user is not None
        fluxo = await context.services.fluxos.atual(
            chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
        )
        return fluxo if fluxo is not None and fluxo.nome == self.nome else None

    @staticmethod
    async def encerrar(update: Update, context: CogepContext) -> None:
        """Forget the user's flow in this chat."""
        assert update.effective_chat is not None and update.effective_user is not None
        await context.services.fluxos.encerrar(
            chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
        )
