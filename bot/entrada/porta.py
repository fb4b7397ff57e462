"""The Telegram side of the inbox: where updates come in, get cleaned, stored and let through.

    BotComEntrada   the ExtBot the application runs on. `initialize` retries an unreachable
                    Bot API with backoff and turns a rejected token into one clear line;
                    `get_updates` cleans each update (`bot.higiene`) and stores the batch in
                    the inbox before PTB can ask for the next one, which is what confirms it
    FilaDeEntrada   the application's update queue: lets through an update the inbox saw for
                    the first time and drops a second copy; a webhook update (which never went
                    through `get_updates`) is cleaned and stored here, before the HTTP 200
    Porta           ties both to the inbox, replays what a crash left unhandled, and tells
                    `bot.ordering` which updates to mark done

This module is part of the composition root (it wires Telegram in): services never see it, and
the handlers know of it only that `EntradaIndisponivel` is caused by a database outage, and the
send path (`bot.saida.envio`) finds the outbox for held-back replies as `BotComEntrada.respostas`.

Polling: getUpdates(offset) confirms every update before `offset`, and PTB computes the offset
from the batch `get_updates` returns, so a batch is returned whole (duplicates included) and the
queue does the dropping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import UpdateType
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import ExtBot
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_delay,
    wait_exponential,
)

from bot import metricas, texts
from bot.database import is_outage
from bot.entrada.caixa import CaixaDeEntrada
from bot.entrada.efeito import entregando
from bot.errors import ConfigError, Interno
from bot.higiene import limpar_update
from bot.saida.envio import FilaDeRespostas
from bot.web import TenteDeNovo

log = logging.getLogger("cogep.entrada")


class EntradaIndisponivel(Interno, NetworkError):
    """The inbox could not store a getUpdates batch (database down): PTB polls again later
    with the same offset, so the updates wait at Telegram; raised `from` the outage, which is
    how `handlers.common.on_error` knows to log it as one line."""


class TokenRecusado(ConfigError):
    """The Bot API answered 401 to getMe."""


class TelegramInacessivel(ConfigError):
    """The Bot API did not answer (network, 5xx) for the whole start-up patience."""


class Porta:
    """The inbox as the application uses it (bound to the database once it is open)."""

    def __init__(self) -> None:
        self.caixa: CaixaDeEntrada | None = None
        self.respostas: FilaDeRespostas | None = None
        self.lote_bruto: list[Any] = []  # the raw JSON of the batch getUpdates is returning
        self._liberados: set[int] = set()  # admitted for the first time, not yet queued
        self._repetidos: set[int] = set()  # second copies seen by get_updates
        self._em_curso: set[int] = set()  # queued or running, to be marked done
        self._avisados: set[int] = set()  # told "the database is down, your turn will come"
        self._feitos: dict[int, str | None] = {}  # replayed, change committed before: reference

    def ligar(self, caixa: CaixaDeEntrada, respostas: FilaDeRespostas) -> None:
        """Start storing updates in `caixa`; replies refused by 429 go to `respostas` (the
        outbox)."""
        self.caixa = caixa
        self.respostas = respostas

    async def admitir_lote(self, bot: ExtBot[Any], updates: Sequence[Update]) -> tuple[Update, ...]:
        """Store a getUpdates batch (cleaned in `BotComEntrada._post`); the batch, whole."""
        limpos = tuple(updates)
        if self.caixa is None or not limpos:
            return limpos
        brutos = {d.get("update_id"): d for d in self.lote_bruto if isinstance(d, dict)}
        pares = [(u, brutos.get(u.update_id) or u.to_dict()) for u in limpos]
        try:
            novos = await self.caixa.admitir([(u.update_id, dados) for u, dados in pares])
        except Exception as exc:
            if not is_outage(exc):
                raise
            await self._avisar_espera(bot, limpos)
            raise EntradaIndisponivel(f"inbox unreachable: {exc}") from exc
        self._avisados.difference_update(u.update_id for u in limpos)
        for update in limpos:
            (self._liberados if update.update_id in novos else self._repetidos).add(
                update.update_id
            )
        return limpos

    async def deixar_passar(self, bot: ExtBot[Any], update: Update) -> Update | None:
        """The update to queue, or None for a second copy (webhook updates are stored here)."""
        uid = update.update_id
        if uid in self._liberados:
            self._liberados.discard(uid)
        elif uid in self._repetidos:
            self._repetidos.discard(uid)
            log.info("update %s delivered again; dropped", uid)
            metricas.repetida(tipo_do_update(update))
            return None
        elif self.caixa is not None:  # a webhook update: clean and store it before the 200
            update, dados = _limpo(bot, update)
            try:
                novos = await self.caixa.admitir([(uid, dados)])
            except Exception as exc:
                if not is_outage(exc):
                    raise
                await self._avisar_espera(bot, [update])
                raise TenteDeNovo("inbox unreachable") from exc  # 503: Telegram retries
            self._avisados.discard(uid)
            if uid not in novos:
                log.info("update %s delivered again; dropped", uid)
                metricas.repetida(tipo_do_update(update))
                return None
        else:
            return update
        self._em_curso.add(uid)
        return update

    async def reprocessar(self, bot: ExtBot[Any], fila: asyncio.Queue[object]) -> int:
        """Queue, oldest first, the updates a crash left unhandled; how many."""
        if self.caixa is None:
            return 0
        pendentes = await self.caixa.pendentes()
        for pendente in pendentes:
            update = Update.de_json(pendente.dados, bot)
            self._liberados.add(update.update_id)
            if pendente.efetivado:
                self._feitos[update.update_id] = pendente.referencia
            await fila.put(update)
        if pendentes:
            log.info("replaying %d update(s) left unhandled by the last run", len(pendentes))
        return len(pendentes)

    async def _avisar_espera(self, bot: ExtBot[Any], updates: Sequence[Update]) -> None:
        """Tell each sender, once per update, that it waits for the database (at Telegram)."""
        for update in updates:
            chat = update.effective_chat
            if update.update_id in self._avisados or chat is None or chat.type != "private":
                continue
            self._avisados.add(update.update_id)
            try:
                await bot.send_message(chat.id, texts.EM_ESPERA)
            except TelegramError as exc:
                log.info("could not tell chat %s its update waits: %s", chat.id, exc.message)

    @asynccontextmanager
    async def tratando(self, update: object) -> AsyncIterator[None]:
        """Around one update's handlers: its exactly-once context, then its mark of done (not
        when the shutdown timeout cut it off: the next start replays it)."""
        uid = update.update_id if isinstance(update, Update) else None
        if uid is None or uid not in self._em_curso or self.caixa is None:
            yield
            return
        feito = uid in self._feitos
        cortado = False
        try:
            with entregando(uid, feita_antes=feito, referencia=self._feitos.pop(uid, None)):
                yield
        except asyncio.CancelledError:
            cortado = True  # by the shutdown timeout: left unmarked, replayed at the next start
            raise
        finally:
            self._em_curso.discard(uid)
            if not cortado:
                self.caixa.concluir(uid)


class FilaDeEntrada(asyncio.Queue[object]):
    """The application's update queue, with the inbox at its door."""

    def __init__(self, porta: Porta) -> None:
        super().__init__()
        self._porta = porta
        self.bot: ExtBot[Any] | None = None  # set once the application is built

    async def put(self, item: object) -> None:
        """Queue `item` unless it is a second copy of an update."""
        if isinstance(item, Update) and self.bot is not None:
            passa = await self._porta.deixar_passar(self.bot, item)
            if passa is None:
                return
            item = passa
        await super().put(item)


class BotComEntrada(ExtBot[None]):
    """ExtBot with a patient start and an inbox behind getUpdates."""

    def __init__(
        self, *args: Any, porta: Porta, paciencia: float, endereco: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._porta = porta
        self._paciencia = paciencia
        self._endereco = endereco

    @property
    def porta(self) -> Porta:
        """Where this bot's updates come in (the inbox, once bound)."""
        return self._porta

    @property
    def respostas(self) -> FilaDeRespostas | None:
        """Where a reply still refused with 429 after its retries waits (once bound)."""
        return self._porta.respostas

    async def initialize(self) -> None:
        """getMe, retried while the Bot API is unreachable; a rejected token is one line."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(_passageiro),
            wait=wait_exponential(multiplier=0.5, max=8),
            stop=stop_after_delay(self._paciencia),
            before_sleep=_avisar_espera,
            reraise=True,
        )
        try:
            async for tentativa in retrying:
                with tentativa:
                    await super().initialize()
        except InvalidToken:
            raise TokenRecusado(texts.token_recusado()) from None
        except NetworkError as exc:
            if not _passageiro(exc):
                raise
            motivo = _sem_segredo(exc.message, self.token)
            raise TelegramInacessivel(
                texts.telegram_inacessivel(self._endereco, self._paciencia, motivo)
            ) from None

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """getUpdates, cleaned and stored before the next call can confirm them."""
        self._porta.lote_bruto = []
        updates = await super().get_updates(*args, **kwargs)
        return await self._porta.admitir_lote(self, updates)

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The raw answer; getUpdates' batch is cleaned here, before PTB parses it.

        Cleaning and storing the JSON as it came costs a fraction of `Update.to_dict()` per
        update (measured with bench/updates.py --profile).
        """
        resultado = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and isinstance(resultado, list):
            resultado = [limpar_update(u) if isinstance(u, dict) else u for u in resultado]
            self._porta.lote_bruto = resultado
        return resultado


def tipo_do_update(update: object) -> str:
    """The update's kind as Telegram names it (message, callback_query, ...), for metrics."""
    if not isinstance(update, Update):
        return "outro"
    tipo = next((t.value for t in UpdateType if getattr(update, t.value, None) is not None), None)
    return tipo or "outro"


def endereco_publico(base_url: str) -> str:
    """`https://api.telegram.org` from a Bot API base URL (no path, so never a token)."""
    partes = urlsplit(base_url)
    return f"{partes.scheme}://{partes.netloc}" if partes.netloc else "a Bot API"


def _limpo(bot: ExtBot[Any], update: Update) -> tuple[Update, dict[str, Any]]:
    """The update with clean strings, and its dict as the inbox stores it."""
    dados = update.to_dict()
    limpo = limpar_update(dados)
    return (update if limpo is dados else Update.de_json(limpo, bot)), limpo


def _passageiro(exc: BaseException) -> bool:
    """A failure worth retrying at start: network trouble or a 5xx, not a refusal."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def _avisar_espera(estado: RetryCallState) -> None:
    erro = estado.outcome.exception() if estado.outcome else None
    log.warning("Bot API unreachable at start (%s); retrying", type(erro).__name__)


def _sem_segredo(texto: str, token: str) -> str:
    return texto.replace(token, "***") if token else texto
