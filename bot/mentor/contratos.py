"""What the mentor needs from other domains, as Protocols, so it works (and is tested) with
whatever implements them: the knowledge base's search, and the reminders service (whose
`criar(usuario, quando, texto, processo=...)` validates the time and the processo itself, and
whose `validar_quando` refuses a past time before anything is proposed).

The knowledge base (bot.conhecimento) answers `buscar(usuario, consulta, limite=5)` with
passages the user may see (only team-wide ones with `so_da_equipe`, for a group), best first;
each names its document and where in it (`citacao`, e.g. "Manual de Deploy › Rollback"), which
is what the mentor cites.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from db.models import Usuario


class Passagem(Protocol):
    """One passage of a document, as the knowledge base returns it."""

    @property
    def documento_id(self) -> int: ...
    @property
    def trecho_id(self) -> int: ...
    @property
    def titulo(self) -> str: ...
    @property
    def citacao(self) -> str: ...
    @property
    def texto(self) -> str: ...
    @property
    def pontuacao(self) -> float: ...


class BaseDeConhecimento(Protocol):
    """Search over the documents the user may see."""

    async def buscar(
        self, usuario: Usuario, consulta: str, *, limite: int = 5, so_da_equipe: bool = False
    ) -> Sequence[Passagem]: ...


class LembreteCriado(Protocol):
    """What the mentor reads back from a reminder it created."""

    @property
    def quando(self) -> datetime: ...
    @property
    def texto(self) -> str: ...


class Lembretes(Protocol):
    """Personal reminders, created as the user."""

    def validar_quando(self, usuario: Usuario, quando: str) -> object: ...

    async def criar(
        self, usuario: Usuario, quando: str, texto: str, *, processo: str | None = None
    ) -> LembreteCriado: ...
