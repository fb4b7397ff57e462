"""Registration, help, profile and the bot's manners with odd input."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import CogepApplication
from bot.database import Database
from db.models import Usuario
from tests.conftest import ADMIN_ID
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa


async def _usuario(database: Database, telegram_id: int) -> Usuario | None:
    async with database.sessions() as session:
        return await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))


async def test_start_registers_and_greets_once(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana", username="ana_dev")

    first = await ana.diz("/start convite-equipe")
    second = await ana.diz("/start")

    assert "Boas-vindas" in first["text"] and "Ana" in first["text"]
    assert "Seu cadastro já existe" in second["text"]
    usuario = await _usuario(database, 101)
    assert usuario is not None
    assert (usuario.nome, usuario.username, usuario.papel) == ("Ana", "ana_dev", "membro")
    assert usuario.origem == "convite-equipe"
    assert usuario.fuso_horario == "America/Sao_Paulo" and usuario.ativo


async def test_configured_admins_become_admin(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    chefe = Pessoa(tg, ADMIN_ID, "Chefe")

    reply = await chefe.diz("/start")

    assert "administrador" in reply["text"]
    usuario = await _usuario(database, ADMIN_ID)
    assert usuario is not None and usuario.papel == "admin"


async def test_command_list_is_registered_at_start(bot: CogepApplication, tg: FakeTelegram) -> None:
    call = await tg.wait_for_call("setMyCommands")

    names = [c["command"] for c in call.params["commands"]]
    assert {"start", "ajuda", "novo", "processos", "buscar", "cancelar"} <= set(names)


async def test_unregistered_users_are_asked_to_start(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    bia = Pessoa(tg, 102, "Bia")

    reply = await bia.diz("/processos")

    assert "/start" in reply["text"]


async def test_ajuda_lists_the_commands(bot: CogepApplication, tg: FakeTelegram) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")

    reply = await ana.diz("/ajuda")

    for command in ("/novo", "/processos", "/buscar", "/perfil", "/cancelar"):
        assert command in reply["text"]


async def test_perfil_edits_name_timezone_and_notices(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")

    card = await ana.diz("/perfil")
    await ana.toca(card, "Nome")
    await ana.diz("Ana <Souza> & Cia")
    card = await ana.diz("/perfil")
    await ana.toca(card, "Fuso")
    refused = await ana.diz("Marte/Olympus")
    await ana.diz("manaus")
    card = await ana.diz("/perfil")
    tela = await ana.toca(card, "Notificações")  # the /notificacoes screen, where they change
    edited = await ana.toca(tela, "Desligar tudo")
    card = await ana.diz("/perfil")

    assert "Não reconheci o fuso Marte/Olympus" in refused["text"]
    assert "desligadas" in edited["text"] and "Notificações: desligadas" in card["text"]
    usuario = await _usuario(database, 101)
    assert usuario is not None
    assert usuario.nome == "Ana <Souza> & Cia"
    assert usuario.fuso_horario == "America/Manaus"
    assert usuario.notificacoes_ativas is False


async def test_digest_hour_is_chosen_with_buttons(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")
    card = await ana.diz("/perfil")

    tela = await ana.toca(card, "Resumo diário")  # /perfil links to /notificacoes
    hours = await ana.toca(tela, "Resumo às")
    await ana.toca(hours, "18:00")

    usuario = await _usuario(database, 101)
    assert usuario is not None and usuario.hora_resumo == 18


async def test_time_zones_by_button_city_or_offset_and_questions_do_not_linger(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")
    card = await ana.diz("/perfil")

    pergunta = await ana.toca(card, "Fuso")
    escolhido = await ana.toca(pergunta, "Cuiabá")
    assert "America/Cuiaba (UTC−04:00)" in escolhido["text"]

    await ana.toca(await ana.diz("/perfil"), "Fuso")
    por_texto = await ana.diz("GMT-3")
    assert "Fuso horário: UTC−03:00" in por_texto["text"]

    await ana.toca(await ana.diz("/perfil"), "Fuso")  # asked, then left for something else
    tela = await ana.toca(await ana.diz("/perfil"), "Resumo diário")
    await ana.toca(await ana.toca(tela, "Resumo às"), "09:00")
    solto = await ana.diz("8:30")  # no longer taken as a time zone

    assert "fuso" not in solto["text"].lower()
    usuario = await _usuario(database, 101)
    assert usuario is not None
    assert (usuario.fuso_horario, usuario.hora_resumo) == ("Etc/GMT+3", 9)


async def test_blocking_the_bot_marks_the_user_inactive(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")

    tg.my_chat_member(ana.user, new_status="kicked")
    await tg.wait_for(lambda: True)

    async def inactive() -> bool:
        usuario = await _usuario(database, 101)
        return usuario is not None and not usuario.ativo

    for _ in range(50):
        if await inactive():
            break
        await __import__("asyncio").sleep(0.05)
    assert await inactive()

    tg.my_chat_member(ana.user, new_status="member")
    await ana.diz("/start")
    usuario = await _usuario(database, 101)
    assert usuario is not None and usuario.ativo


async def test_odd_input_gets_sensible_answers(bot: CogepApplication, tg: FakeTelegram) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")

    unknown = await ana.diz("/voar_para_lua agora")
    huge = await ana.diz("x" * 10_000)
    symbols = await ana.diz("<b>oi</b> & _itálico_ *negrito* 😀 שלום مرحبا")
    sticker = await ana.manda_sticker()

    assert "Não conheço esse comando" in unknown["text"]
    assert huge["text"] and symbols["text"]
    assert "tipo de mensagem" in sticker["text"]


async def test_cancelar_leaves_a_flow(bot: CogepApplication, tg: FakeTelegram) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")

    nothing = await ana.diz("/cancelar")
    await ana.diz("/novo")
    cancelled = await ana.diz("/cancelar")
    after = await ana.diz("Um texto qualquer")

    assert "nada em andamento" in nothing["text"]
    assert "cancelada" in cancelled["text"]
    assert "título" not in after["text"].lower()

    await ana.diz("/novo")
    sem_barra = await ana.diz("Cancelar")  # people forget the slash
    assert "cancelada" in sem_barra["text"]
    assert "Não encontrado" not in (await ana.diz("/processos"))["text"]


async def test_an_admin_promotes_a_gestor_from_the_chat(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    chefe = Pessoa(tg, ADMIN_ID, "Chefe")
    ana = Pessoa(tg, 101, "Ana", username="ana_dev")
    await chefe.diz("/start")
    await ana.diz("/start")

    refused = await ana.diz("/papel @ana_dev admin")
    listed = await chefe.diz("/usuarios")
    bad = await chefe.diz("/papel @ana_dev rainha")
    missing = await chefe.diz("/papel @ninguem gestor")
    promoted = await chefe.diz("/papel @ANA_DEV gestora")
    again = await chefe.diz("/papel @ana_dev gestor")
    self_demote = await chefe.diz(f"/papel {ADMIN_ID} membro")

    assert "Só administradores" in refused["text"]
    assert "Ana" in listed["text"] and "@ana_dev" in listed["text"]
    assert "Não conheço o papel rainha" in bad["text"] and "não encontrado" in missing["text"]
    assert "Ana agora tem o papel de gestor" in promoted["text"]
    assert "já tem o papel de gestor" in again["text"]
    assert "próprio papel" in self_demote["text"]
    usuario = await _usuario(database, 101)
    assert usuario is not None and usuario.papel == "gestor"


async def test_start_again_keeps_the_name_set_in_perfil(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = Pessoa(tg, 101, "Ana")
    await ana.diz("/start")
    await ana.toca(await ana.diz("/perfil"), "Nome")
    await ana.diz("Ana Souza")

    again = await ana.diz("/start")

    assert "Ana Souza" in again["text"]
    usuario = await _usuario(database, 101)
    assert usuario is not None and usuario.nome == "Ana Souza"
