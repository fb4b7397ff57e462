"""Telegram adapters. `register` is the one place that shows the whole bot, in order.

A handler parses the update, calls one service and sends one text; it never touches the
database (no sqlalchemy here). Each feature module ends with its declarations, `ROTAS`
(`handlers.rotas`): its commands with their /ajuda text, its buttons (each kind of
`handlers.botoes`, routed by `on_button` to one handler, decoded) and other handlers, its guided
conversations. `register` only includes them, as aiogram includes routers: the gate for group
chats first (group -1, `grupos.porteiro`: a group nobody authorised gets no further), then the
features, then the catch-alls (`inicio.FIM`: unknown command, free text, unsupported media, a
button of no known kind), so nothing falls through silently. /ajuda and setMyCommands are built
from the same declarations (`COMANDOS`). See docs/architecture.md.

The caller's row is loaded on demand by `CogepContext.carregar_usuario` (the `registered` and
`on_button` guards), not for every update.

Feature modules (each ends with its `ROTAS`; `ROTAS` below is the order they are included in):
    grupos        the gate for group chats, /autorizar, joining and leaving
    inicio        /start, /ajuda, /cancelar and the catch-alls (`FIM`, last)
    perfil        /perfil;  notificacoes  /notificacoes switches, digest hour, quiet hours
    admin         /usuarios, /papel, /acesso;  aviso  /aviso (announcements, admins)
    processos     /processos, /processo, /buscar and the buttons under a processo
    novo          /novo, in one line or step by step;  contatos  the CRM
    documentos    uploads, /ingerir, /documentos, /conhecimento
    lembretes     /lembrar, /lembretes;  mentor  the mentor's buttons and commands
    midia         voice notes, audio and photos for the mentor (heard, then as if typed)
    relatorios    /exportar (CSV) and /relatorio (a chart and numbers)
    texto         free text (in `inicio.FIM`): a guided flow's answer, else the mentor
Shared by them:
    rotas         what a feature declares (`Rotas`, `Comando`)
    common        load the caller, guards (`registered`, `on_button`), the error handler
    context       `CogepContext` and `AppState`, the typed bot_data
    callbacks     the typed, versioned button codec;  botoes  every button kind (`Botao*`)
    teclados      inline teclados built from the button kinds
    formulario    guided conversations on top of the persisted `Fluxo`
"""

from __future__ import annotations

from handlers import (
    admin,
    aviso,
    common,
    contatos,
    documentos,
    formulario,
    grupos,
    inicio,
    inline,
    lembretes,
    mentor,
    midia,
    notificacoes,
    novo,
    perfil,
    processos,
    relatorios,
)
from handlers.context import CogepApplication
from handlers.formulario import Conversas
from handlers.rotas import Comandos, Rotas

ROTAS: tuple[Rotas, ...] = (
    grupos.PORTARIA,
    inicio.ROTAS,
    perfil.ROTAS,
    formulario.ROTAS,
    novo.ROTAS,
    processos.ROTAS,
    relatorios.ROTAS,
    inline.ROTAS,
    contatos.ROTAS,
    documentos.ROTAS,
    lembretes.ROTAS,
    notificacoes.ROTAS,
    admin.ROTAS,
    grupos.ROTAS,
    mentor.ROTAS,
    midia.ROTAS,
    aviso.ROTAS,
    inicio.FIM,
)
"""Every feature's declarations, in the order they are included (the /ajuda order, too)."""


def _perguntas() -> dict[str, formulario.Resposta]:
    perguntas: dict[str, formulario.Resposta] = {}
    for rotas in ROTAS:
        if perguntas.keys() & rotas.perguntas.keys():
            raise ValueError(f"two prompts share a flow name: {rotas.perguntas.keys()}")
        perguntas.update(rotas.perguntas)
    return perguntas


# Every persisted conversation by flow name: the guided forms, then the one-question prompts.
CONVERSAS = Conversas.de([f for r in ROTAS for f in r.formularios], _perguntas())
COMANDOS = Comandos([c for r in ROTAS for c in r.comandos])


def register(app: CogepApplication) -> None:
    """Include every feature's handlers, in order, and the one error handler."""
    app.bot_data.conversas = CONVERSAS
    app.bot_data.comandos = COMANDOS
    for rotas in ROTAS:
        for grupo, handler in rotas.por_grupo():
            app.add_handler(handler, group=grupo)
    app.add_error_handler(common.on_error)
