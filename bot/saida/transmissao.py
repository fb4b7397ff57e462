"""A mentor answer on Telegram: streamed while the model writes, then one persisted message.

    private chat   drafts (`sendMessageDraft`, with Bot API 10.3's `can_stop`, so the draft
                   itself has a stop button); then the final message
    group          a placeholder with ⏹ Parar, edited at most once per second; then the final
                   text replaces it (drafts are not allowed in groups)
    tool round     a private answer ends its draft (a live draft locks the composer on some
                   Android clients) and shows "🔎 consultando processos…" as a message until
                   the final answer replaces it; drafts resume with the next round's text

The final answer is HTML `sendMessage` (`bot.mentor.formato` + `bot.saida.envio`: split under
4096, plain text when Telegram refuses the HTML, 429s waited out). Bot API 10.1 rich messages
(`sendRichMessage`, `sendRichMessageDraft`, through `Bot.do_api_request`: PTB 22.8 does not wrap
them) are opt-in (`COGEP_MENSAGENS_RICAS`), since several clients show them blank.

A failing preview never costs the answer. Every failure (4xx, 5xx, timeout, network) steps
down once, for the rest of that answer: a rich draft -> an HTML draft -> a placeholder edited
in place -> no preview at all; the final rich message -> HTML -> plain text, a placeholder
that cannot be edited -> a new message. A server that does not know a method (404) is noted
in the answer's `Servidor` and stored for every replica (`bot.mentor.recursos`, read by
`handlers.mentor` for each answer), so later answers skip it. "Message is not modified" is a
success, and a 429 while streaming slows the updates (`ritmo.Devagar`) instead.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.mentor.formato import markdown_para_html
from bot.mentor.ritmo import Compasso, Devagar
from bot.render import MESSAGE_LIMIT, split_html
from bot.saida.envio import (
    RespostaAdiada,
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
    """What is known about the Bot API server for one answer (a refusal costs one call).

    `rico` starts as the `COGEP_MENSAGENS_RICAS` setting; a 404 for a method turns it off.
    """

    rico: bool = False
    rascunho: bool = True


def _motivo(exc: TelegramError) -> str:
    return f"{type(exc).__name__}: {exc.message}"


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
        # What this answer still uses; each failure turns one off for the rest of it.
        self._rico = servidor.rico  # the final message
        self._rascunho_rico = servidor.rico
        self._rascunho = privado and servidor.rascunho
        self._edicao = True
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
                self._sem_rascunho(exc)
        await self._mostrar_marcador(texts.MENTOR_PENSANDO)

    async def consultar(self) -> None:
        """A tool round begins: end the draft and show "🔎 consultando processos…" instead;
        drafts resume with the next round's text, and the final answer replaces both."""
        if self._marcador is not None or not self._rascunho:
            return
        await self.compasso.fechar()
        self.compasso = Compasso(self._parcial, intervalo=INTERVALO_RASCUNHO)
        await self._mostrar_marcador(texts.MENTOR_CONSULTANDO)

    async def _mostrar_marcador(self, html: str) -> None:
        try:
            self._marcador = await send_html(
                self._bot, self._chat_id, html, teclado=self._teclado_parar,
                reply_to=self._responder_a, adiavel=False,
            )  # fmt: skip
        except TelegramError as exc:  # no placeholder: the final answer is sent anew
            log.warning("placeholder refused in chat %s (%s)", self._chat_id, _motivo(exc))
            self._edicao = False

    def _sem_rascunho(self, exc: TelegramError) -> None:
        """Drafts off for the rest of this answer (and the process, when unknown there)."""
        if metodo_desconhecido(exc):
            self._servidor.rascunho = False
            log.info("this Bot API server has no drafts; streaming by edits from now on")
        else:
            log.warning("draft refused in chat %s (%s); streaming by edits", self._chat_id,
                        _motivo(exc))  # fmt: skip
        self._rascunho = False
        self.compasso.intervalo = INTERVALO_EDICAO

    def _sem_rico(self, exc: TelegramError, *, rascunho: bool = False) -> None:
        """Rich drafts, or the rich final message, off for the rest of this answer (and every
        rich method for the process, when the server does not know it)."""
        if rascunho:
            self._rascunho_rico = False
        else:
            self._rico = False
        if metodo_desconhecido(exc):
            self._servidor.rico = self._rico = self._rascunho_rico = False
            log.info("this Bot API server has no rich messages; using HTML from now on")
        else:
            log.warning("rich message refused in chat %s (%s); using HTML", self._chat_id,
                        _motivo(exc))  # fmt: skip

    def crescer(self, markdown: str) -> None:
        """The answer so far (Markdown); shown at the pace of the chat."""
        self.compasso.atualizar(markdown)

    async def _parcial(self, markdown: str) -> None:
        try:
            if self._rascunho:
                await self._rascunho_parcial(markdown)
            elif self._marcador is not None and self._edicao:
                await self._editar_parcial(markdown)
        except RetryAfter as exc:
            raise Devagar(segundos(exc)) from None

    async def _editar_parcial(self, markdown: str) -> None:
        assert self._marcador is not None
        parte = split_html(markdown_para_html(markdown))[-1:] or ["…"]
        try:
            await self._marcador.edit_text(
                parte[0] + " ▌", parse_mode=ParseMode.HTML,
                reply_markup=self._teclado_parar, disable_web_page_preview=True,
            )  # fmt: skip
        except RetryAfter:
            raise
        except TelegramError as exc:
            if nao_modificada(exc):
                return
            log.warning("edit refused in chat %s (%s); no more previews for this answer",
                        self._chat_id, _motivo(exc))  # fmt: skip
            self._edicao = False

    async def _rascunho_parcial(self, markdown: str) -> None:
        if self._rascunho_rico:
            try:
                await self._bot.do_api_request(
                    "sendRichMessageDraft",
                    api_kwargs={
                        "chat_id": self._chat_id, "draft_id": self._numero, "can_stop": True,
                        "rich_message": {"markdown": markdown[-RICO_MAX:]},
                    },
                )  # fmt: skip
                return
            except RetryAfter:
                raise
            except TelegramError as exc:
                self._sem_rico(exc, rascunho=True)
        # The draft shows the part being written: the tail, once the text outgrows a message.
        parte = split_html(markdown_para_html(markdown))[-1:] or [""]
        try:
            await self._bot.send_message_draft(
                self._chat_id, self._numero, parte[0], parse_mode=ParseMode.HTML,
                api_kwargs={"can_stop": True},
            )  # fmt: skip
        except RetryAfter:
            raise
        except TelegramError as exc:
            self._sem_rascunho(exc)
            await self._mostrar_marcador(texts.MENTOR_PENSANDO)

    async def terminar(self, markdown: str, *, teclado: InlineKeyboardMarkup | None) -> None:
        """Stop streaming and deliver the complete answer as one persisted message."""
        await self.compasso.fechar()
        markdown = markdown.strip() or texts.MENTOR_SEM_RESPOSTA_MD
        if self._rico and await self._final_rico(markdown, teclado):
            return
        await self._final_html(markdown_para_html(markdown), teclado)

    async def _final_html(self, html: str, teclado: InlineKeyboardMarkup | None) -> None:
        """The answer as HTML: into the placeholder when it fits, else as new message(s);
        any refusal of the HTML sends that part as plain text."""
        marcador = self._marcador
        # Beside a draft, the placeholder is only "🔎 consultando…": a new message ends both.
        substituir = marcador is not None and self._edicao and not self._rascunho
        if marcador is not None and substituir and len(split_html(html)) == 1:
            await self.compasso.respeitar()  # an edit like the others: not closer than 1 s
            try:
                await edit_html(marcador, html, teclado=teclado)
                return
            except TelegramError as exc:
                log.warning("final edit refused in chat %s (%s); sending anew", self._chat_id,
                            _motivo(exc))  # fmt: skip
        with contextlib.suppress(RespostaAdiada):  # flood control: the outbox sends the rest
            await send_html(self._bot, self._chat_id, html, teclado=teclado,
                            reply_to=self._responder_a, teimoso=True)  # fmt: skip
        await self._apagar_marcador()

    async def _final_rico(self, markdown: str, teclado: InlineKeyboardMarkup | None) -> bool:
        """Send the answer as rich message(s); False when none went out (the caller sends
        HTML); a refusal after the first part sends the rest as HTML here."""
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
                self._sem_rico(exc)
                if indice == 0:
                    return False
                resto = markdown_para_html("\n\n".join(partes[indice:]))
                self._marcador, self._responder_a = None, None  # already replaced
                await self._final_html(resto, teclado)
                return True
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
