"""Group chats: served only after a gestor or admin authorised them."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event

from bot.app import CogepApplication
from bot.database import Database
from tests.fake_telegram import JSON, FakeTelegram
from tests.people import Pessoa
from tests.test_processos import registrar, tornar_gestor

NAO_AUTORIZADO = "ainda não foi autorizado"


@pytest.fixture
async def equipe(bot: CogepApplication, tg: FakeTelegram, database: Database) -> dict[str, Pessoa]:
    """Ana is a membro, Gil a gestor."""
    ana, gil = await registrar(tg, 601, "Ana"), await registrar(tg, 602, "Gil")
    await tornar_gestor(database, gil)
    return {"ana": ana, "gil": gil}


async def adiciona_o_bot(pessoa: Pessoa, grupo: JSON, status: str = "member") -> JSON:
    """`pessoa` adds the bot to `grupo`; returns the bot's greeting there."""
    mark = pessoa.tg.mark(grupo["id"])
    pessoa.tg.my_chat_member(pessoa.user, new_status=status, chat=grupo)
    return await pessoa.tg.wait_for_message(grupo["id"], after=mark)


async def test_a_group_a_gestor_adds_is_served_at_once(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    grupo = tg.group(-1001, "Equipe de infra")

    saudacao = await adiciona_o_bot(gil, grupo, status="administrator")
    lista = await ana.diz("/processos", chat=grupo)

    assert "me mencione" in saudacao["text"] and "todos do grupo veem" in saudacao["text"]
    assert "Processos abertos" in lista["text"]


async def test_a_group_a_membro_adds_waits_until_a_gestor_authorises_it(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    grupo = tg.group(-1002, "Conversa paralela")

    saudacao = await adiciona_o_bot(ana, grupo)
    ana.envia("alguém viu o deploy de ontem?", chat=grupo)
    recusa = await ana.diz("/processos", chat=grupo)
    mencao = await ana.diz("@cogep_test_bot oi", chat=grupo)
    so_gestor = await ana.diz("/autorizar", chat=grupo)
    autorizado = await gil.diz("/autorizar@cogep_test_bot", chat=grupo)
    servido = await ana.diz("/processos", chat=grupo)

    assert "preciso que um gestor" in saudacao["text"]
    assert NAO_AUTORIZADO in recusa["text"] and NAO_AUTORIZADO in mencao["text"]
    assert "Só gestores" in so_gestor["text"]
    assert "Grupo autorizado" in autorizado["text"]
    assert "Processos abertos" in servido["text"]
    grupo_texts = [m["text"] for m in tg.chat_messages(grupo["id"])]
    assert len(grupo_texts) == 6  # the chatter got no answer, everything else one each

    assert "deixo de atender" in (await gil.diz("/desautorizar", chat=grupo))["text"]
    assert NAO_AUTORIZADO in (await ana.diz("/ajuda", chat=grupo))["text"]


async def test_removing_the_bot_revokes_the_group(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    grupo = tg.group(-1003, "Projeto Acme")
    await adiciona_o_bot(gil, grupo)
    assert "Comandos" in (await ana.diz("/ajuda", chat=grupo))["text"]

    tg.my_chat_member(gil.user, new_status="left", chat=grupo)
    saudacao = await adiciona_o_bot(ana, grupo)

    assert "preciso que um gestor" in saudacao["text"]
    assert NAO_AUTORIZADO in (await ana.diz("/ajuda", chat=grupo))["text"]


async def test_a_group_that_becomes_a_supergroup_stays_authorised(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    antigo = tg.group(-1004, "Suporte")
    await adiciona_o_bot(gil, antigo)
    novo = tg.group(-1009990001, "Suporte")

    tg.push_update(
        {
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": novo,
                "from": ana.user,
                "migrate_from_chat_id": antigo["id"],
            }
        }
    )
    reply = await ana.diz("/ajuda", chat=novo)

    assert "Comandos" in reply["text"]
    assert NAO_AUTORIZADO in (await ana.diz("/ajuda", chat=antigo))["text"]


async def test_buttons_in_an_unauthorised_group_are_refused(
    equipe: dict[str, Pessoa], tg: FakeTelegram
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    grupo = tg.group(-1005, "Grupo antigo")
    await adiciona_o_bot(gil, grupo)
    lista = await ana.diz("/processos", chat=grupo)
    await gil.diz("/desautorizar", chat=grupo)

    cursor = len(tg.calls)
    tg.press(ana.user, lista["message_id"], ana.botao(lista, "todos"), chat=grupo)
    answer = await tg.wait_for_call("answerCallbackQuery", after=cursor)

    assert NAO_AUTORIZADO in answer.params.get("text", "")
    assert "Processos abertos" in tg.chat_messages(grupo["id"])[1]["text"]  # not paged on


async def test_authorising_is_done_inside_the_group(equipe: dict[str, Pessoa]) -> None:
    reply = await equipe["gil"].diz("/autorizar")

    assert "dentro do grupo" in reply["text"]


async def test_group_chatter_costs_the_bot_no_query(
    equipe: dict[str, Pessoa], tg: FakeTelegram, database: Database
) -> None:
    ana, gil = equipe["ana"], equipe["gil"]
    grupo = tg.group(-1006, "Equipe falante")
    await adiciona_o_bot(gil, grupo)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        for i in range(5):
            ana.envia(f"bom dia, pessoal {i}", chat=grupo)
        await ana.diz("/ajuda", chat=grupo)  # answered after the chatter: one chat, in order
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)

    handling = [s for s in statements if "updates_recebidos" not in s]  # not the inbox's
    assert len(handling) == 2, handling  # /ajuda: the group's authorisation and the caller
