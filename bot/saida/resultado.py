"""What a send to Telegram came to, as plain data (no `telegram` import, so services read it).

Enviada    every part went through (`partes` of them)
Espere     flood control (429): try again in `segundos`; `partes` went through first
Bloqueado  the user blocked the bot, or the bot is no longer in the group (403)
Falhou     `transitoria`: the network, a timeout, Telegram's 5xx (worth retrying);
           otherwise definitive (chat not found, a message Telegram refuses)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Enviada:
    """All parts were sent."""

    partes: int


@dataclass(frozen=True)
class Espere:
    """Telegram asked this chat to wait `segundos` (429)."""

    segundos: float
    partes: int = 0


@dataclass(frozen=True)
class Bloqueado:
    """The chat cannot be written to any more (403)."""

    motivo: str
    partes: int = 0


@dataclass(frozen=True)
class Falhou:
    """The send failed: worth retrying when `transitoria`, never otherwise."""

    motivo: str
    partes: int = 0
    transitoria: bool = False


Resultado = Enviada | Espere | Bloqueado | Falhou
