"""Guided conversations on top of the persisted `Fluxo`: forms and one-question prompts.

A `Formulario` (/novo, /contato novo) asks its questions one at a time; it only says how to
validate a typed answer (`responder`) and what to do with the complete answers (`concluir`);
skipping (typed or a button), drafts and moving on are the same for every form.
A one-question prompt (a comment, a new deadline, a new name…) is just a `Resposta`.

`Conversas` is the one registry of both, by flow name: `handlers.register` builds it from each
feature's declarations and keeps it in `AppState.conversas`; free text is routed through it,
and a draft set aside for a detour is taken up again through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import texts
from bot.acentos import sem_acentos
from bot.fluxos import RASCUNHO_GUARDADO, Fluxo
from bot.saida.envio import reply_html
from db.models import Usuario
from handlers import botoes, teclados
from handlers.common import on_button
from handlers.context import CogepContext
from handlers.rotas import Rotas

Pergunta = tuple[str, InlineKeyboardMarkup | None]
Resposta = Callable[[Update, CogepContext, Usuario, Fluxo], Awaitable[None]]
"""Takes the typed answer to the flow's current question."""
Concluir = Callable[[Update, CogepContext, Usuario, dict[str, Any]], Awaitable[None]]
"""Acts on a form's complete answers (and consumes the form in that transaction)."""

# Typed instead of pressing Pular (after an error message the button is far up the chat).
PALAVRAS_DE_PULAR = {"pular", "pula", "pule", "pulo", "proximo", "proxima", "skip"}


@dataclass(frozen=True)
class Formulario:
    """An ordered set of questions under one flow name."""

    nome: str
    perguntas: dict[str, Pergunta]
    responder: Resposta  # a typed "pular" never reaches it: `receber` skips the question
    concluir: Concluir

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
        await reply_html(update, context.bot, texto, teclado=teclado)

    async def avancar(
        self,
        update: Update,
        context: CogepContext,
        usuario: Usuario,
        fluxo: Fluxo,
        dados: dict[str, Any],
    ) -> None:
        """Ask the next question not answered yet; after the last one, `concluir`.

        A step already in `dados` (even as None: "not wanted") was answered before, e.g. in the
        one-line /novo that fell back to this form at its faulty field.
        """
        depois = self.passos[self.passos.index(fluxo.passo) + 1 :]
        seguinte = next((passo for passo in depois if passo not in dados), None)
        if seguinte is None:
            await self.concluir(update, context, usuario, dados)
        else:
            await self.perguntar(update, context, seguinte, dados)

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

    async def receber(
        self, update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo
    ) -> None:
        """A typed answer to the current question: a typed "pular" skips it, anything else goes
        to `responder`."""
        texto = update.effective_message.text if update.effective_message else None
        if self.quer_pular(fluxo, texto or ""):
            await self.avancar(update, context, usuario, fluxo, dict(fluxo.dados))
        else:
            await self.responder(update, context, usuario, fluxo)

    def quer_pular(self, fluxo: Fluxo, texto: str) -> bool:
        """Whether the answer is a typed "pular" (every question but the first may be skipped)."""
        palavra = sem_acentos(texto.strip().lower())
        return fluxo.passo != self.passos[0] and palavra in PALAVRAS_DE_PULAR

    async def comecar(self, update: Update, context: CogepContext) -> None:
        """Ask the first question; over a half-filled draft of this form, ask what to do first."""
        fluxo = await self.atual(update, context)
        respondidos = [k for k in fluxo.dados if k in self.perguntas] if fluxo else []
        if fluxo is None or not respondidos:
            await self.perguntar(update, context, self.passos[0], {})
            return
        await reply_html(
            update,
            context.bot,
            texts.rascunho_pendente(self.nome, fluxo.dados),
            teclado=teclados.rascunho(self.nome),
        )

    async def em_curso(self, update: Update, context: CogepContext, passo: str) -> Fluxo | None:
        """The live flow a button answering `passo` acts on (the button still to be answered),
        or None after telling the presser that the form is over or that this question is gone:
        each button answers its own question."""
        assert update.callback_query is not None
        fluxo = await self.atual(update, context)
        if fluxo is None:
            await update.callback_query.answer(texts.FORMULARIO_TERMINADO)
            return None
        if fluxo.passo != passo:
            await update.callback_query.answer(texts.PERGUNTA_JA_RESPONDIDA)
            return None
        return fluxo

    async def responder_botao(
        self,
        update: Update,
        context: CogepContext,
        usuario: Usuario,
        passo: str,
        respostas: Callable[[], dict[str, Any]],
    ) -> None:
        """A button answering `passo`: if that question is still the one asked, take its
        `respostas()` (validated now) and move on."""
        fluxo = await self.em_curso(update, context, passo)
        if fluxo is None:
            return
        dados = {**fluxo.dados, **respostas()}
        assert update.callback_query is not None
        await update.callback_query.answer()
        await self.avancar(update, context, usuario, fluxo, dados)


@dataclass(frozen=True)
class Conversas:
    """Every persisted conversation, by flow name: the forms and the one-question prompts."""

    formularios: Mapping[str, Formulario]
    perguntas: Mapping[str, Resposta]

    @classmethod
    def de(cls, formularios: list[Formulario], perguntas: Mapping[str, Resposta]) -> Conversas:
        """The registry of these forms and prompts (a flow name is taken once)."""
        por_nome = {form.nome: form for form in formularios}
        if len(por_nome) != len(formularios) or por_nome.keys() & perguntas.keys():
            raise ValueError("two conversations share a flow name")
        return cls(por_nome, dict(perguntas))

    def resposta(self, nome: str) -> Resposta | None:
        """What takes a typed answer in the flow `nome`."""
        form = self.formularios.get(nome)
        return form.receber if form is not None else self.perguntas.get(nome)


def conversas(context: CogepContext) -> Conversas:
    """The registry `handlers.register` built."""
    return context.bot_data.conversas


async def pular(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoPular
) -> None:
    """Skip the question the button belongs to, if it is still the one asked (never the first)."""
    query = update.callback_query
    assert query is not None
    form = conversas(context).formularios.get(botao.formulario)
    fluxo = await form.atual(update, context) if form is not None else None
    if form is None or fluxo is None:
        await query.answer(texts.FORMULARIO_TERMINADO)
    elif fluxo.passo != botao.passo or botao.passo == form.passos[0]:
        await query.answer(texts.PERGUNTA_JA_RESPONDIDA)
    else:
        await query.answer()
        await form.avancar(update, context, usuario, fluxo, dict(fluxo.dados))


async def decidir_rascunho(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoRascunho
) -> None:
    """Go on with the draft (ask its question again) or start the form afresh."""
    form = conversas(context).formularios.get(botao.formulario)
    assert update.callback_query is not None
    await update.callback_query.answer()
    if form is None:
        return
    fluxo = await form.atual(update, context)
    if fluxo is None:
        await form.perguntar(update, context, form.passos[0], {})
    elif botao.acao == "seguir":
        await retomar(update, context, fluxo)
    else:  # a detour's kept draft (of another form) stays kept
        guardado = {k: v for k, v in fluxo.dados.items() if k == RASCUNHO_GUARDADO}
        await form.perguntar(update, context, form.passos[0], guardado)


async def encerrar_fluxo(update: Update, context: CogepContext) -> Fluxo | None:
    """End the user's live flow in this chat; the draft it kept (to `retomar` after replying)."""
    assert update.effective_chat is not None and update.effective_user is not None
    fim = await context.services.fluxos.encerrar(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    return fim.retomado


async def retomar(update: Update, context: CogepContext, rascunho: Fluxo | None) -> None:
    """Take a half-filled form up again where it was: say so and ask its question again."""
    form = conversas(context).formularios.get(rascunho.nome) if rascunho is not None else None
    if rascunho is None or form is None or rascunho.passo not in form.perguntas:
        return
    await reply_html(update, context.bot, texts.retomando(rascunho.nome, rascunho.dados))
    texto, teclado = form.perguntas[rascunho.passo]
    await reply_html(update, context.bot, texto, teclado=teclado)


async def retomar_se_houver(update: Update, context: CogepContext) -> None:
    """After a form was consumed: take up the draft it had kept, if one came back."""
    assert update.effective_chat is not None and update.effective_user is not None
    rascunho = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )
    await retomar(update, context, rascunho)


# -- declarations (included by handlers.register): the buttons every form shares -------------
ROTAS = Rotas(
    handlers=[
        on_button(botoes.BotaoPular, pular),
        on_button(botoes.BotaoRascunho, decidir_rascunho),
    ]
)
