"""A mentor answer on Telegram: streamed while the model writes, then one persisted message.

    private chat   drafts (sendRichMessageDraft, else sendMessageDraft) with Bot API 10.3's
                   `can_stop`, so the draft itself has a stop button; then the final message
    group          a placeholder with ⏹ Parar, edited at most once per second; then the final
                   text replaces it (drafts are not allowed in groups)

Rich messages first: `sendRichMessage` / `sendRichMessageDraft` (Bot API 10.1, not wrapped by
python-telegram-bot 22.8, so through `Bot.do_api_request`) take the model's Markdown as it is.
A server that does not know them (404) is noted in the answer's `Servidor`, stored for every
replica (`bot.mentor.recursos`, read by `handlers.mentor` for each answer), and every later
answer goes straight to the HTML path: `bot.mentor.formato` + `bot.saida.envio`, which
split under 4096, fall back to plain text, and wait out 429s. Drafts refused the same way fall
back to the group behaviour (a placeholder). "Message is not modified" is a success, a 429
while streaming slows the updates (`ritmo.Devagar`), and the final text is always delivered.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.mentor.formato import markdown_para_html
from bot.mentor.ritmo import Compasso, Devagar
from bot.render import MESSAGE_LIMIT, split_html
from bot.saida.envio import (
    com_esperas,
    edit_html,
    metodo_desconhecido,
    nao_modificada,
    send_html,
)
from bot.saida.ritmo import segundos

log = logging.getLogger("cogep.mentor.telegram")

INTERVALO_RASCUNHO = 0.4  # drafts animate; a few updates a second read as typing
INTERVALO_EDICAO = 1.0  # edits: about one per second per chat, as Telegram asks
RICO_MAX = 32_000  # characters per rich message (Telegram allows far more than 4096)


@dataclass
class Servidor:
    """What is known about the Bot API server for one answer (a refusal costs one call)."""

    rico: bool = True
    rascunho: bool = True


class Transmissao:
    """One answer's presence in one chat; see the module docstring."""

    def __init__(
        self,
        bot: ExtBot[None],
        servidor: Servidor,
        *,
        chat_id: int,
        privado: bool,
        numero: int,
        responder_a: int | None,
        parar: InlineKeyboardMarkup,
    ) -> None:
        self._bot = bot
        self._servidor = servidor
        self._chat_id = chat_id
        self._rascunho = privado and servidor.rascunho
        self._numero = numero  # the draft id
        self._responder_a = responder_a
        self._teclado_parar = parar
        self._marcador: Message | None = None
        intervalo = INTERVALO_RASCUNHO if self._rascunho else INTERVALO_EDICAO
        self.compasso = Compasso(self._parcial, intervalo=intervalo)

    @property
    def marcador_id(self) -> int | None:
        """The placeholder message's id (groups, or when drafts are refused)."""
        return self._marcador.message_id if self._marcador is not None else None

    async def comecar(self) -> None:
        """Show at once that the professor is on it: a "thinking" draft, or the placeholder."""
        if self._rascunho:
            try:
                await self._bot.send_message_draft(
                    self._chat_id, self._numero, "", api_kwargs={"can_stop": True}
                )
                return
            except TelegramError as exc:
                if not metodo_desconhecido(exc):
                    log.warning("draft refused (%s); streaming by edits", exc)
                self._servidor.rascunho = self._servidor.rascunho and not metodo_desconhecido(exc)
                self._rascunho = False
                self.compasso.intervalo = INTERVALO_EDICAO
        self._marcador = await send_html(
            self._bot, self._chat_id, texts.MENTOR_PENSANDO, teclado=self._teclado_parar,
            reply_to=self._responder_a,
        )  # fmt: skip

    def crescer(self, markdown: str) -> None:
        """The answer so far (Markdown); shown at the pace of the chat."""
        self.compasso.atualizar(markdown)

    async def _parcial(self, markdown: str) -> None:
        try:
            if self._rascunho:
                await self._rascunho_parcial(markdown)
            elif self._marcador is not None:
                parte = split_html(markdown_para_html(markdown))[-1:] or ["…"]
                await self._marcador.edit_text(
                    parte[0] + " ▌", parse_mode=ParseMode.HTML,
                    reply_markup=self._teclado_parar, disable_web_page_preview=True,
                )  # fmt: skip
        except RetryAfter as exc:
            raise Devagar(segundos(exc)) from None
        except BadRequest as exc:
            if not nao_modificada(exc):
                raise

    async def _rascunho_parcial(self, markdown: str) -> None:
        if self._servidor.rico:
            try:
                await self._bot.do_api_request(
                    "sendRichMessageDraft",
                    api_kwargs={
                        "chat_id": self._chat_id, "draft_id": self._numero, "can_stop": True,
                        "rich_message": {"markdown": markdown[-RICO_MAX:]},
                    },
                )  # fmt: skip
                return
            except TelegramError as exc:
                if not metodo_desconhecido(exc):
                    raise
                self._servidor.rico = False
                log.info("this Bot API server has no rich messages; using HTML from now on")
        # The draft shows the part being written: the tail, once the text outgrows a message.
        parte = split_html(markdown_para_html(markdown))[-1:] or [""]
        await self._bot.send_message_draft(
            self._chat_id, self._numero, parte[0], parse_mode=ParseMode.HTML,
            api_kwargs={"can_stop": True},
        )  # fmt: skip

    async def terminar(self, markdown: str, *, teclado: InlineKeyboardMarkup | None) -> None:
        """Stop streaming and deliver the complete answer as one persisted message."""
        await self.compasso.fechar()
        markdown = markdown.strip() or texts.MENTOR_SEM_RESPOSTA_MD
        if self._servidor.rico and await self._final_rico(markdown, teclado):
            return
        html = markdown_para_html(markdown)
        marcador = self._marcador
        if marcador is not None and len(split_html(html)) == 1:
            await edit_html(marcador, html, teclado=teclado)
            return
        if marcador is not None:
            await self._apagar_marcador()
        await send_html(self._bot, self._chat_id, html, teclado=teclado, reply_to=self._responder_a)

    async def _final_rico(self, markdown: str, teclado: InlineKeyboardMarkup | None) -> bool:
        """Send the answer as rich message(s); False when the server refused them."""
        partes = dividir_markdown(markdown, RICO_MAX)
        for indice, parte in enumerate(partes):
            ultima = indice == len(partes) - 1
            kwargs: dict[str, Any] = {"chat_id": self._chat_id, "rich_message": {"markdown": parte}}
            if ultima and teclado is not None:
                kwargs["reply_markup"] = teclado.to_dict()
            if indice == 0 and self._responder_a is not None:
                kwargs["reply_parameters"] = {
                    "message_id": self._responder_a, "allow_sending_without_reply": True,
                }  # fmt: skip
            try:
                await com_esperas(
                    self._bot,
                    self._chat_id,
                    functools.partial(
                        self._bot.do_api_request, "sendRichMessage", api_kwargs=kwargs
                    ),
                )
            except TelegramError as exc:
                if indice > 0 or not (metodo_desconhecido(exc) or isinstance(exc, BadRequest)):
                    raise
                if metodo_desconhecido(exc):
                    self._servidor.rico = False
                    log.info("this Bot API server has no rich messages; using HTML from now on")
                else:
                    log.warning("rich message refused (%s); sending it as HTML", exc.message)
                return False
            if indice == 0:
                await self._apagar_marcador()
        return True

    async def _apagar_marcador(self) -> None:
        marcador, self._marcador = self._marcador, None
        if marcador is None:
            return
        try:
            await marcador.delete()
        except TelegramError as exc:  # gone already, or too old: the answer is out anyway
            log.info("placeholder not deleted: %s", exc)


def dividir_markdown(markdown: str, limite: int = MESSAGE_LIMIT) -> list[str]:
    """Split Markdown at blank lines outside code fences, each part under `limite`."""
    if len(markdown) <= limite:
        return [markdown]
    partes: list[str] = []
    atual: list[str] = []
    tamanho = 0
    cerca = False
    for linha in markdown.split("\n"):
        if linha.lstrip().startswith("```"):
            cerca = not cerca
        if tamanho + len(linha) + 1 > limite and atual:
            partes.append("\n".join(atual))
            atual, tamanho = [], 0
            if cerca and not linha.lstrip().startswith("```"):
                atual.append("```")  # reopen the fence the cut left open
        while len(linha) > limite:  # a single monstrous line
            partes.append(linha[:limite])
            linha = linha[limite:]
        atual.append(linha)
        tamanho += len(linha) + 1
        if not linha.strip() and not cerca and tamanho > limite // 2:
            partes.append("\n".join(atual))
            atual, tamanho = [], 0
    if atual:
        partes.append("\n".join(atual))
    return [p for p in partes if p.strip()]
