"""Access: with admins configured, a newcomer waits until an admin lets them in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.processos.linha import Rascunho
from bot.services import Services
from bot.settings import Settings
from db.models import Usuario
from tests.conftest import ADMIN_ID, make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

AGUARDA = "aguarda a liberação"
SEM_ACESSO = "não está liberado"


@pytest.fixture
async def porteiro(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    """Cogep as shipped: newcomers wait for an admin."""
    settings = make_settings(tg, database_url, cadastro_aberto=False)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


@pytest.fixture
async def chefe(porteiro: CogepApplication, tg: FakeTelegram) -> Pessoa:
    """The configured admin, registered."""
    pessoa = Pessoa(tg, ADMIN_ID, "Chefe")
    assert "administrador" in (await pessoa.diz("/start"))["text"]
    return pessoa


async def usuario(database: Database, telegram_id: int) -> Usuario:
    async with database.sessions() as session:
        found = await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))
    assert found is not None
    return found


async def test_a_newcomer_waits_and_an_admin_lets_them_in_with_one_tap(
    chefe: Pessoa, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 701, "Ana", username="ana_dev")

    recebido = await ana.diz("/start")
    pedido = await chefe.ve("Novo cadastro")
    barrada = [await ana.diz(t) for t in ("/processos", "/contatos", "/novo Algo", "oi")]
    de_novo = await ana.diz("/start")

    assert "Recebi seu cadastro" in recebido["text"]
    assert "Ana @ana_dev" in pedido["text"] and "701" in pedido["text"]
    assert all(AGUARDA in r["text"] for r in barrada), [r["text"] for r in barrada]
    assert AGUARDA in de_novo["text"]
    assert len(tg.chat_messages(ADMIN_ID)) == 2  # welcome and one request, not one per /start

    botao_liberar = chefe.botao(pedido, "Liberar")
    decidido = await chefe.toca(pedido, "Liberar")
    aviso = await ana.ve("foi liberado")
    await chefe.toca_dados(pedido["message_id"], botao_liberar)  # a second tap changes nothing
    lista = await ana.diz("/processos")

    assert "Acesso de Ana liberado por Chefe" in decidido["text"] and chefe.botoes(decidido) == []
    assert "/ajuda" in aviso["text"]
    assert "Processos" in lista["text"]
    assert sum("foi liberado" in m["text"] for m in tg.chat_messages(701)) == 1  # told once
    assert (await usuario(database, 701)).acesso == "liberado"


async def test_refused_and_revoked_people_are_kept_out_until_let_back_in(
    chefe: Pessoa, tg: FakeTelegram, database: Database
) -> None:
    bruno = Pessoa(tg, 702, "Bruno", username="bruno")
    await bruno.diz("/start")
    pedido = await chefe.ve("Novo cadastro")

    recusado = await chefe.toca(pedido, "Recusar")
    aviso = await bruno.ve("foi recusado")
    insiste = await bruno.diz("/start")
    assert "recusado por Chefe" in recusado["text"]
    assert "cadastro no Cogep foi recusado" in aviso["text"] and SEM_ACESSO in insiste["text"]
    assert len(tg.chat_messages(ADMIN_ID)) == 2  # no new request for a refused person

    liberado = await chefe.diz("/acesso @bruno liberar")
    assert "Acesso de Bruno liberado" in liberado["text"]
    await bruno.ve("foi liberado")
    assert "Processos" in (await bruno.diz("/processos"))["text"]

    revogado = await chefe.diz("/acesso 702 revogar")
    assert "revogado por Chefe" in revogado["text"]
    assert "foi revogado" in (await bruno.ve("revogado"))["text"]
    assert SEM_ACESSO in (await bruno.diz("/processos"))["text"]

    a_si = await chefe.diz(f"/acesso {ADMIN_ID} revogar")
    uso = await chefe.diz("/acesso @bruno talvez")
    assert "seu próprio acesso" in a_si["text"]
    assert "/acesso @usuario liberar" in uso["text"]
    assert (await usuario(database, 702)).acesso == "recusado"


async def test_usuarios_lists_newcomers_with_buttons_only_admins_can_use(
    chefe: Pessoa, tg: FakeTelegram, database: Database
) -> None:
    for telegram_id, nome in ((703, "Caio"), (704, "Dora")):
        await Pessoa(tg, telegram_id, nome).diz("/start")
        await chefe.ve(f"Novo cadastro: {nome}")
    lista = await chefe.diz("/usuarios")

    assert "2 aguardando liberação" in lista["text"] and "⏳ Caio" in lista["text"]
    pedidos = ["✅ Liberar Caio", "🚫 Recusar", "✅ Liberar Dora", "🚫 Recusar"]
    assert chefe.botoes(lista)[:4] == pedidos  # then a card button per person

    await chefe.diz("/papel 703 membro")  # a papel lets someone in, too
    caio = Pessoa(tg, 703, "Caio")
    forjado = f"ua:{(await usuario(database, 704)).id}:s"
    await caio.toca_dados((await caio.diz("/ajuda"))["message_id"], forjado)

    assert "Só administradores" in tg.answered_callbacks()[-1].get("text", "")
    assert (await usuario(database, 704)).acesso == "pendente"
    recusar_caio = chefe.botao(lista, "Recusar")  # from before Caio got a papel
    redesenhada = await chefe.toca(lista, "Liberar Dora")
    assert "Acesso de Dora liberado" in tg.answered_callbacks()[-1].get("text", "")
    assert "aguardando" not in redesenhada["text"]
    assert not {"✅ Liberar Caio", "🚫 Recusar"} & set(chefe.botoes(redesenhada))
    await chefe.toca_dados(lista["message_id"], recusar_caio)
    assert "já estava com acesso liberado" in tg.answered_callbacks()[-1].get("text", "")
    assert (await usuario(database, 703)).acesso == "liberado"


async def test_the_sql_itself_shows_nothing_to_someone_not_let_in(
    porteiro: CogepApplication, chefe: Pessoa, database: Database
) -> None:
    services: Services = porteiro.bot_data.services
    admin = await usuario(database, ADMIN_ID)
    await services.processos.abrir(admin, Rascunho(titulo="Contrato sigiloso"))
    assert len((await services.processos.listar(admin, filtro="todos")).itens) == 1

    admin.acesso = "recusado"  # e.g. a tool acting for a revoked admin, past the handlers

    assert (await services.processos.listar(admin, filtro="todos")).itens == []
    assert await services.processos.buscar(admin, "sigiloso") == []


def test_without_admins_anyone_can_register() -> None:
    aberto = Settings(_env_file=None, admin_telegram_ids=frozenset())
    vigiado = Settings(_env_file=None, admin_telegram_ids=frozenset({1}))
    liberal = Settings(_env_file=None, admin_telegram_ids=frozenset({1}), cadastro_aberto=True)

    assert (aberto.aprovacao, vigiado.aprovacao, liberal.aprovacao) == (False, True, False)


async def test_papel_and_acesso_take_a_name_and_offer_a_choice_when_several_fit(
    chefe: Pessoa, tg: FakeTelegram, database: Database
) -> None:
    for telegram_id, nome in ((711, "Ana Souza"), (712, "Ana Lima"), (713, "Bruno Araújo")):
        await Pessoa(tg, telegram_id, nome).diz("/start")
        await chefe.ve(f"Novo cadastro: {nome}")

    um = await chefe.diz("/acesso bruno araujo liberar")  # no @username, accents left out
    varios = await chefe.diz("/papel ana gestor")
    assert chefe.botoes(varios) == ["Ana Lima", "Ana Souza"]
    escolhida = await chefe.toca(varios, "Ana Lima")
    nenhum = await chefe.diz("/papel Zé Ninguém gestor")

    assert "Acesso de Bruno Araújo liberado" in um["text"]
    assert "2 pessoas combinam com ana" in varios["text"]
    assert "Ana Lima" in escolhida["text"] and "Papel: gestor" in escolhida["text"]
    assert "não encontrado" in nenhum["text"]
    assert (await usuario(database, 712)).papel == "gestor"
    assert (await usuario(database, 712)).acesso == "liberado"
    assert (await usuario(database, 711)).papel == "membro"


async def test_a_person_is_managed_from_their_card_under_usuarios(
    chefe: Pessoa, tg: FakeTelegram, database: Database
) -> None:
    await Pessoa(tg, 721, "Dora").diz("/start")
    await chefe.ve("Novo cadastro: Dora")
    lista = await chefe.diz("/usuarios")

    cartao = await chefe.toca(lista, "👤 Dora")
    assert "Acesso: ⏳ aguarda liberação" in cartao["text"]
    cartao = await chefe.toca(cartao, "Liberar")
    cartao = await chefe.toca(cartao, "Gestor")
    assert "Papel: gestor · Acesso: liberado" in cartao["text"]
    cartao = await chefe.toca(cartao, "Revogar")

    dora = await usuario(database, 721)
    assert (dora.papel, dora.acesso) == ("gestor", "recusado")
    assert "Acesso: 🚫 sem acesso" in cartao["text"]
