"""A guided form: questions asked one at a time, answers kept in a persisted `Fluxo`.

/novo and /contato novo are both forms; each only says how to validate an answer and what to do
with the complete set of answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.acentos import sem_acentos
from bot.fluxos import RETOMAR, Fluxo
from handlers.context import CogepContext
from handlers.reply import reply_html

Pergunta = tuple[str, InlineKeyboardMarkup | None]
PULAR = {"pular", "pula", "pule", "pulo", "proximo", "proxima", "skip"}


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

    def __post_init__(self) -> None:
        FORMULARIOS[self.nome] = self

    def quer_pular(self, fluxo: Fluxo, texto: str) -> bool:
        """Whether the answer is a typed "pular" (every question but the first may be skipped;
        after an error message the Pular button is far up the chat)."""
        return fluxo.passo != self.passos[0] and sem_acentos(texto.strip().lower()) in PULAR

    async def comecar(self, update: Update, context: CogepContext, prefixo: str) -> None:
        """Ask the first question; over a half-filled draft of this form, ask what to do first.

        `prefixo` is the form's callback prefix: its `…:rascunho:seguir|descartar` buttons come
        back to `decidir_rascunho`.
        """
        fluxo = await self.atual(update, context)
        respondidos = [k for k in fluxo.dados if k in self.perguntas] if fluxo else []
        if fluxo is None or not respondidos:
            await self.perguntar(update, context, self.passos[0], {})
            return
        teclado = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.CONTINUAR_RASCUNHO, callback_data=f"{prefixo}:rascunho:seguir"
                    ),
                    InlineKeyboardButton(
                        texts.DESCARTAR_RASCUNHO, callback_data=f"{prefixo}:rascunho:descartar"
                    ),
                ]
            ]
        )
        await reply_html(
            update, context.bot, texts.rascunho_pendente(self.nome, fluxo.dados), keyboard=teclado
        )

    async def decidir_rascunho(self, update: Update, context: CogepContext, acao: str) -> None:
        """Go on with the draft (ask its question again) or start the form afresh."""
        fluxo = await self.atual(update, context)
        if fluxo is None:
            await self.perguntar(update, context, self.passos[0], {})
        elif acao == "seguir":
            await retomar(update, context, fluxo)
        else:  # a detour's kept draft (of another form) stays kept
            guardado = {k: v for k, v in fluxo.dados.items() if k == RETOMAR}
            await self.perguntar(update, context, self.passos[0], guardado)


FORMULARIOS: dict[str, Formulario] = {}  # every form by name, to take a draft up again


async def encerrar_fluxo(update: Update, context: CogepContext) -> Fluxo | None:
    """End the user's live flow in this chat; the draft it kept (to `retomar` after replying)."""
    assert update.effective_chat is not None and update.effective_user is not None
    fim = await context.services.fluxos.encerrar(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    return fim.retomado


async def retomar(update: Update, context: CogepContext, rascunho: Fluxo | None) -> None:
    """Take a half-filled form up again where it was: say so and ask its question again."""
    form = FORMULARIOS.get(rascunho.nome) if rascunho is not None else None
    if rascunho is None or form is None or rascunho.passo not in form.perguntas:
        return
    await reply_html(update, context.bot, texts.retomando(rascunho.nome, rascunho.dados))
    texto, teclado = form.perguntas[rascunho.passo]
    await reply_html(update, context.bot, texto, keyboard=teclado)


async def retomar_se_houver(update: Update, context: CogepContext) -> None:
    """After a form was consumed: take up the draft it had kept, if one came back."""
    assert update.effective_chat is not None and update.effective_user is not None
    rascunho = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    await retomar(update, context, rascunho)
