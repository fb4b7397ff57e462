"""Forged buttons with edge values: pages past any list, other people's reminders (issue #19)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import CogepApplication
from bot.database import Database
from bot.services import Services
from db.models import Lembrete, Usuario
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar, tornar_gestor


async def test_a_forged_page_past_any_list_is_refused_as_an_expired_button(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    gil = await registrar(tg, 721, "Gil")
    await tornar_gestor(database, gil)
    lista = await gil.diz("/processos")
    contatos = await gil.diz("/contatos")

    for tela, data in (
        (lista, "pl:todos:999999999999999999"),
        (contatos, "cl:999999999999999999"),
        (lista, "dl:999999999999999999"),
    ):
        await gil.toca_dados(tela["message_id"], data)
        assert "não vale mais" in tg.answered_callbacks()[-1].get("text", ""), data

    # the bot is still fine and the last real page still works
    await gil.toca_dados(lista["message_id"], "pl:todos:1")
    assert "não vale mais" not in tg.answered_callbacks()[-1].get("text", "")


async def test_snooze_choices_are_offered_only_for_ones_own_reminder(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 722, "Ana")
    bruno = await registrar(tg, 723, "Bruno")
    await bruno.diz("/lembrar amanhã 9h pagar o fornecedor")
    async with database.sessions() as session:
        do_bruno = await session.scalar(
            select(Lembrete.id).join(Usuario).where(Usuario.telegram_id == bruno.id)
        )
    await ana.diz("/lembrar amanhã 10h revisar o contrato")
    tela = await ana.diz("/lembretes")

    antes = ana.botoes(tela)
    await ana.toca_dados(tela["message_id"], f"la:{do_bruno}:")

    assert "não existe mais" in tg.answered_callbacks()[-1].get("text", "")
    assert ana.botoes(tela) == antes  # no snooze choices for Bruno's reminder
    await ana.toca_dados(tela["message_id"], f"la:{do_bruno}:1h")
    assert "não existe mais" in tg.answered_callbacks()[-1].get("text", "")
    async with database.sessions() as session:
        intocado = await session.get(Lembrete, do_bruno)
    assert intocado is not None and intocado.texto == "pagar o fornecedor"


async def test_a_page_number_from_anywhere_never_overflows_the_query(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    gil = await registrar(tg, 724, "Gil")
    await tornar_gestor(database, gil)
    services: Services = bot.bot_data.services
    async with database.sessions() as session:
        eu = await session.scalar(select(Usuario).where(Usuario.telegram_id == gil.id))
    assert eu is not None

    longe = 10**18  # what a model's tool call or a script could pass
    processos = await services.processos.listar(eu, filtro="todos", pagina=longe)
    contatos = await services.contatos.listar(pagina=longe)
    documentos = await services.conhecimento.listar(eu, pagina=longe)

    assert (processos.itens, contatos.itens, documentos.itens) == ([], [], [])
