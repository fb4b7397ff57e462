"""The outbox door: every push is a `Nota` written as a `notificacoes` row, then sent.

    Caixa.escrever(session, *notas)    in the caller's transaction: the notice exists if and only
                                       if the change that caused it was committed
    Caixa.enfileirar_resposta(...)     a reply (HTML or text + entities, optional teclado)
                                       Telegram refused with 429 past its retries, due after
                                       `retry_after` and sent before any notice: the one
                                       send-later queue (bot.saida.envio.send_html uses it)
    Caixa.notify(telegram_id, html)    the older `Notifier` call, in a transaction of its own
    Caixa.acordar()                    after a commit: wake this process's sender at once
                                       (without it the sender still finds the row by polling)

Keyboards are stored as Telegram's own JSON (`[[{"text": ..., "callback_data": ...}]]`), so
the sender rebuilds them without knowing what they are for.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Sessions
from db.repositories import notificacoes as repo

Acoes = Sequence[tuple[str, str]]
"""Buttons under a notice, in one row: (label, callback data)."""
Teclado = list[list[dict[str, str]]]
"""Buttons as Telegram's JSON: rows of {"text", "callback_data" | "url"}."""

# Lower goes first: a queued reply before a personal notice before scheduled ones before bulk.
PRIORIDADE = {
    "resposta": 0,
    "processo": 1,
    "acesso": 1,
    "lembrete": 1,
    "outro": 1,
    "prazo": 2,
    "resumo": 2,
    "parados": 2,
    "saude": 2,
    "aviso": 3,
}


@dataclass(frozen=True)
class BotoesDeAviso:
    """How the chat side encodes the buttons under pushed notices; the composition root hands
    it in (`handlers.teclados.BOTOES_DE_AVISO`), so no service knows a button's encoding."""

    adiar_lembrete: Callable[[int], Acoes]  # the snooze choices under a reminder that fires
    abrir_processo: Callable[[int], str]  # the data of a button that opens a processo
    repetir_pergunta: Callable[[int], Acoes] = lambda _id: ()  # 🔁 under an interrupted question


def teclado(acoes: Acoes) -> Teclado | None:
    """One row of callback buttons as stored JSON (None without buttons)."""
    if not acoes:
        return None
    return [[{"text": rotulo, "callback_data": dados} for rotulo, dados in acoes]]


@dataclass(frozen=True)
class Nota:
    """A notice to write: its dedupe key, where it goes and what it says."""

    chave: str
    tipo: str
    chat_id: int
    texto: str
    usuario_id: int | None = None
    formato: str = "html"  # or "entidades": plain `texto` + `entidades`
    entidades: list[dict[str, Any]] | None = None
    teclado: Teclado | None = None
    devido_em: datetime | None = None  # None: now
    aviso_id: int | None = None
    prioridade: int | None = None  # None: the kind's
    extra: dict[str, Any] = field(default_factory=dict)

    def linha(self, agora: datetime) -> dict[str, Any]:
        """The row to insert."""
        return {
            "chave": self.chave[:200],
            "tipo": self.tipo,
            "chat_id": self.chat_id,
            "texto": self.texto,
            "usuario_id": self.usuario_id,
            "formato": self.formato,
            "entidades": self.entidades,
            "teclado": self.teclado,
            "devido_em": self.devido_em or agora,
            "aviso_id": self.aviso_id,
            "prioridade": PRIORIDADE[self.tipo] if self.prioridade is None else self.prioridade,
        }


class Mensageiro(Protocol):
    """What a service needs to send one notice on its own (the knowledge base's 'it is in')."""

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Queue a notice in a transaction of its own."""


class Notifier(Mensageiro, Protocol):
    """What services need to tell people about a change, in the change's own transaction."""

    async def escrever(self, session: AsyncSession, *notas: Nota) -> int:
        """Write notices in the caller's transaction; how many were new."""

    def acordar(self) -> None:
        """Tell the sender there is work (call after the commit)."""


class Caixa:
    """The outbox on one session factory."""

    def __init__(
        self, sessions: Sessions, *, agora: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._sessions = sessions
        self._agora = agora
        self._despertadores: list[Callable[[], None]] = []

    def ao_escrever(self, despertador: Callable[[], None]) -> None:
        """Call `despertador` whenever a notice was written (the sender's wake-up)."""
        self._despertadores.append(despertador)

    def acordar(self) -> None:
        """Wake the senders of this process."""
        for despertador in self._despertadores:
            despertador()

    async def escrever(self, session: AsyncSession, *notas: Nota) -> int:
        """Insert the notices in `session`'s transaction; a known key is skipped."""
        agora = self._agora()
        return await repo.inserir(session, linhas=[n.linha(agora) for n in notas])

    async def enviar(self, *notas: Nota) -> int:
        """Write notices in a transaction of their own and wake the sender."""
        async with self._sessions.begin() as session:
            novas = await self.escrever(session, *notas)
        self.acordar()
        return novas

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Queue `html` for the user (each call is a new notice)."""
        await self.enviar(
            Nota(
                chave=f"outro:{uuid.uuid4().hex}",
                tipo="outro",
                chat_id=telegram_id,
                texto=html,
                teclado=teclado(acoes),
            )
        )

    async def enfileirar_resposta(
        self,
        chat_id: int,
        texto: str,
        *,
        entidades: list[dict[str, Any]] | None = None,
        teclado: Teclado | None = None,
        chave: str | None = None,
        usuario_id: int | None = None,
        depois: float = 0.0,
    ) -> bool:
        """Queue a reply Telegram refused for now (429 beyond retries); sent before any notice,
        once `depois` seconds (Telegram's `retry_after`) have passed.

        `texto` is Telegram-HTML, or plain text when `entidades` is given (Bot API
        MessageEntity dicts); `teclado` is `InlineKeyboardMarkup.to_dict()["inline_keyboard"]`.
        Pass `chave` (e.g. `resposta:<chat>:<update_id>`) to make a retried call harmless.
        Returns whether the reply was new.
        """
        nota = Nota(
            chave=chave or f"resposta:{chat_id}:{uuid.uuid4().hex}",
            tipo="resposta",
            chat_id=chat_id,
            texto=texto,
            usuario_id=usuario_id,
            formato="entidades" if entidades is not None else "html",
            entidades=entidades,
            teclado=teclado,
            devido_em=self._agora() + timedelta(seconds=depois),
        )
        return await self.enviar(nota) == 1


class SilentNotifier:
    """A notifier that drops everything (benchmarks that do not look)."""

    async def escrever(self, session: AsyncSession, *notas: Nota) -> int:
        """Drop the notices."""
        return 0

    def acordar(self) -> None:
        """Nothing to wake."""

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Drop the notice."""
