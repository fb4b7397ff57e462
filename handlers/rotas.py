"""What a feature module declares, at its end, as `ROTAS`: its commands (with their /ajuda
text), its buttons and other handlers, and its guided conversations.

`handlers.register` only concatenates the features' declarations in order (the gate first, the
catch-alls last), as aiogram includes routers; /ajuda and setMyCommands are built from the same
declarations (`Comandos`), so a command cannot be registered without being listed, or listed
without being registered, unless its declaration says it is not listed (`ajuda=None`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from telegram.ext import BaseHandler, CommandHandler, filters

from bot import texts
from handlers.common import Handler

if TYPE_CHECKING:
    from handlers.formulario import Formulario, Resposta

Secao = Literal["todos", "gestor", "admin"]
"""Who sees a command in /ajuda; only "todos" is published with setMyCommands."""

# Edited messages and channel posts are ignored on purpose: re-running an edited command would
# surprise people, and Cogep has no business in channels.
MESSAGES = filters.UpdateType.MESSAGE


@dataclass(frozen=True)
class Comando:
    """A /command: its handler and its /ajuda line (`ajuda=None`: deliberately not listed)."""

    nome: str
    callback: Handler
    ajuda: str | None
    secao: Secao = "todos"
    uso: str = ""  # what /ajuda shows after the name, e.g. "@usuario gestor"

    def handler(self) -> CommandHandler[Any, None]:
        """The PTB handler: the command in a new message (not an edit, not a channel post)."""
        return CommandHandler(self.nome, self.callback, filters=MESSAGES)


@dataclass(frozen=True)
class Rotas:
    """One feature's declarations; `handlers` run after its commands, in group 0 unless
    listed in `grupos` (group number -> handlers)."""

    comandos: Sequence[Comando] = ()
    handlers: Sequence[BaseHandler[Any, Any, Any]] = ()
    formularios: Sequence[Formulario] = ()
    perguntas: Mapping[str, Resposta] = field(default_factory=dict)
    grupos: Mapping[int, Sequence[BaseHandler[Any, Any, Any]]] = field(default_factory=dict)

    def por_grupo(self) -> Iterator[tuple[int, BaseHandler[Any, Any, Any]]]:
        """Every handler with its group, commands first."""
        for comando in self.comandos:
            yield 0, comando.handler()
        for handler in self.handlers:
            yield 0, handler
        for grupo, handlers in self.grupos.items():
            for handler in handlers:
                yield grupo, handler


@dataclass(frozen=True)
class Comandos:
    """Every declared command, in declaration order: what /ajuda and setMyCommands show."""

    todos: Sequence[Comando]

    def publicados(self) -> list[tuple[str, str]]:
        """(name, description) for setMyCommands: the listed commands everyone may use."""
        return [(c.nome, c.ajuda) for c in self.todos if c.secao == "todos" and c.ajuda]

    def ajuda(self, *, papel: str) -> str:
        """The /ajuda text for someone with `papel`."""
        return texts.ajuda(
            papel=papel,
            todos=self._linhas("todos"),
            gestor=self._linhas("gestor"),
            admin=self._linhas("admin"),
        )

    def _linhas(self, secao: Secao) -> list[tuple[str, str]]:
        return [
            (f"{c.nome} {c.uso}".strip(), c.ajuda)
            for c in self.todos
            if c.secao == secao and c.ajuda
        ]
