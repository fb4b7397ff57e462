"""Fluxos: guided conversations whose state lives in PostgreSQL (forms and one-question
prompts), so a restart or another replica continues where the user was.

    servico   Fluxo (nome, passo, dados), FluxoService (load, save, end), `consumir` (end a
              finished form inside the transaction that acts on it), drafts kept across detours

The questions themselves are the handlers' (`handlers.formulario`: `Formulario`, `Conversas`):
a new form is a `Formulario` declared in its feature's `ROTAS`; a form whose draft must survive
a detour also joins `RASCUNHOS`.
"""

from bot.fluxos.servico import (
    RASCUNHO_GUARDADO,
    ChatUsuario,
    Fluxo,
    FluxoService,
    consumir,
)

__all__ = [
    "RASCUNHO_GUARDADO",
    "ChatUsuario",
    "Fluxo",
    "FluxoService",
    "consumir",
]
