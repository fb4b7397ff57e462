"""Commands match: what /ajuda and Telegram's command menu (setMyCommands) offer is exactly what
the bot answers, because both are built from each feature's declarations (handlers.rotas)."""

from __future__ import annotations

import re

import pytest
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

import handlers
from bot.app import CogepApplication
from handlers.context import AppState, CogepContext
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

PAPEIS = ("membro", "gestor", "admin")


def _registrados() -> set[str]:
    """Every command a CommandHandler answers once `handlers.register` ran."""
    app = (
        ApplicationBuilder()
        .token("1:teste")
        .context_types(ContextTypes(context=CogepContext, bot_data=AppState))
        .build()
    )
    handlers.register(app)
    return {
        comando
        for grupo in app.handlers.values()
        for handler in grupo
        if isinstance(handler, CommandHandler)
        for comando in handler.commands
    }


def _na_ajuda(papel: str) -> set[str]:
    """The commands /ajuda lists for `papel` (the ones a line starts with)."""
    return set(re.findall(r"^/(\w+)", handlers.COMANDOS.ajuda(papel=papel), flags=re.MULTILINE))


@pytest.mark.parametrize("papel", PAPEIS)
def test_every_command_in_ajuda_is_answered(papel: str) -> None:
    assert _na_ajuda(papel) - _registrados() == set()


def test_every_command_in_the_menu_is_answered_and_in_ajuda() -> None:
    menu = {nome for nome, _ in handlers.COMANDOS.publicados()}

    assert menu - _registrados() == set()
    assert menu <= _na_ajuda("membro")


def test_every_answered_command_is_in_ajuda_unless_declared_hidden() -> None:
    ocultos = {c.nome for c in handlers.COMANDOS.todos if c.ajuda is None}

    assert _registrados() - _na_ajuda("admin") == ocultos
    # /ajuda's and /relatorio's aliases; /desautorizar is named in /autorizar's line
    assert ocultos == {"help", "estatisticas", "desautorizar"}


def test_admin_commands_are_shown_only_to_admins() -> None:
    admin = _na_ajuda("admin") - _na_ajuda("gestor")

    assert {"usuarios", "papel", "acesso", "aviso", "persona"} <= admin
    assert "autorizar" in _na_ajuda("gestor") - _na_ajuda("membro")


async def test_the_menu_telegram_shows_is_the_declared_one(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    call = await tg.wait_for_call("setMyCommands")

    menu = [(c["command"], c["description"]) for c in call.params["commands"]]
    assert menu == handlers.COMANDOS.publicados()
    ana = Pessoa(tg, 131, "Ana")
    await ana.diz("/start")
    ajuda = await ana.diz("/ajuda")
    usos = {c.nome: c.uso for c in handlers.COMANDOS.todos}
    linhas = [f"/{nome} {usos[nome]}".strip() + " — " for nome, _ in menu]
    assert all(linha in ajuda["text"] for linha in linhas)
