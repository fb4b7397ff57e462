"""The board from the chat: the menu button "Quadro" and 🗂 under /processos open it when Cogep
has a public https address; in a group (where Telegram refuses Mini App buttons) and without the
address, the chat stays as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.errors import ConfigError
from bot.settings import load_settings
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_grupos import adiciona_o_bot
from tests.test_processos import registrar, tornar_gestor

PUBLICO = "https://cogep.exemplo.com.br"


@pytest.fixture
async def bot_publicado(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    """Cogep with COGEP_PUBLIC_URL set."""
    settings = make_settings(tg, database_url, public_url=PUBLICO)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


def botoes_de_app(mensagem: dict) -> list[dict]:
    teclado = (mensagem.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b for linha in teclado for b in linha if "web_app" in b]


async def test_the_menu_button_and_processos_open_the_board(
    bot_publicado: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 701, "Ana")

    lista = await ana.diz("/processos")

    assert tg.menu_button == {
        "type": "web_app",
        "text": texts.MENU_QUADRO,
        "web_app": {"url": PUBLICO + "/app/"},
    }
    assert botoes_de_app(lista) == [
        {"text": texts.BOTAO_QUADRO, "web_app": {"url": PUBLICO + "/app/"}}
    ]


async def test_in_a_group_processos_has_no_board_button(
    bot_publicado: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    gil = await registrar(tg, 702, "Gil")
    await tornar_gestor(database, gil)
    grupo = tg.group(-1007, "Equipe")
    await adiciona_o_bot(gil, grupo, status="administrator")

    lista = await gil.diz("/processos", chat=grupo)

    assert "Processos abertos" in lista["text"]
    assert botoes_de_app(lista) == []


async def test_without_a_public_address_nothing_changes(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = Pessoa(tg, 703, "Ana")
    await ana.diz("/start")

    lista = await ana.diz("/processos")

    assert tg.menu_button == {"type": "commands"}
    assert botoes_de_app(lista) == []
    assert not [c for c in tg.calls if c.method == "setChatMenuButton"]


@pytest.mark.parametrize("valor", ["http://cogep.exemplo.com.br", "cogep.exemplo.com.br"])
def test_a_public_address_must_be_https(valor: str) -> None:
    with pytest.raises(ConfigError, match="COGEP_PUBLIC_URL"):
        load_settings(_env_file=None, COGEP_PUBLIC_URL=valor)


@pytest.mark.parametrize("valor", [PUBLICO, PUBLICO + "/", PUBLICO + "/app", PUBLICO + "/app/"])
def test_the_board_lives_at_app_of_the_public_address(valor: str) -> None:
    assert load_settings(_env_file=None, COGEP_PUBLIC_URL=valor).quadro_url == PUBLICO + "/app/"
