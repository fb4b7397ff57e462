"""Personal reminders: /lembrar in pt-BR, recurring ones, /lembretes, snooze — and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from telegram import Bot

from bot.app import CogepApplication
from bot.database import Database
from bot.notificacoes import Caixa
from bot.notificacoes.lembretes import LembreteService
from bot.services import Services
from db.models import Lembrete, Notificacao, Usuario
from handlers.teclados import BOTOES_DE_AVISO
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.test_notificacoes import Relogio, entregador, pessoas
from tests.test_processos import abrir, registrar

SP, MANAUS = ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/Manaus")


@pytest.fixture
async def bot_api(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        yield bot


def servico(
    database: Database, tg: FakeTelegram, database_url: str, relogio: Relogio
) -> LembreteService:
    settings = make_settings(tg, database_url, lembretes_max=3)
    caixa = Caixa(database.sessions, agora=relogio)
    return LembreteService(
        database.sessions, settings, caixa, botoes=BOTOES_DE_AVISO, agora=relogio
    )


async def usuario(
    database: Database, telegram_id: int, *, fuso: str = "America/Sao_Paulo"
) -> Usuario:
    async with database.sessions.begin() as session:
        await session.execute(
            update(Usuario).where(Usuario.telegram_id == telegram_id).values(fuso_horario=fuso)
        )
        found = await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))
    assert found is not None
    return found


async def quantos(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Lembrete)) or 0)


def textos(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m["text"] for m in tg.chat_messages(chat_id)]


# -- from the chat -------------------------------------------------------------------------------


async def test_a_membro_sets_a_reminder_and_sees_it_in_the_list(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    resposta = await ana.diz("/lembrar amanhã 9h revisar o PR <urgente>")
    assert "amanhã 09:00" in resposta["text"] and "revisar o PR <urgente>" in resposta["text"]

    lista = await ana.diz("/lembretes")
    assert "revisar o PR <urgente>" in lista["text"] and "amanhã 09:00" in lista["text"]
    depois = await ana.toca(lista, "❌ 1")
    assert "cancelado" in depois["text"] and "Você não tem lembretes" in depois["text"]
    assert (await ana.diz("/lembretes"))["text"].startswith("Você não tem lembretes")


async def test_a_reminder_linked_to_a_processo_names_it(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    numero = await abrir(ana, "Cobrar retorno do cliente")
    resposta = await ana.diz(f"/lembrar {numero} sexta 10h cobrar retorno")
    assert numero in resposta["text"] and "cobrar retorno" in resposta["text"]
    bruno = await registrar(tg, 102, "Bruno")  # a processo Bruno cannot see is not found
    recusa = await bruno.diz(f"/lembrar {numero} sexta 10h espiar")
    assert "não encontr" in recusa["text"].lower()


async def test_a_recurring_reminder_reads_back_its_rhythm(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    resposta = await ana.diz("/lembrar toda segunda 9h daily da equipe")
    assert "toda segunda às 09:00" in resposta["text"] and "daily da equipe" in resposta["text"]
    resposta = await ana.diz("/lembrar todo dia útil 18h registrar horas")
    assert "todo dia útil às 18:00" in resposta["text"]
    async with database.sessions() as session:
        regras = set(await session.scalars(select(Lembrete.regra)))
    assert regras == {"semanal:0:09:00", "util::18:00"}


@pytest.mark.parametrize(
    ("pedido", "mensagem"),
    [
        ("/lembrar revisar o PR", "Não entendi <b>quando</b>"),
        ("/lembrar ontem 9h revisar", "já passou"),
        ("/lembrar 31/02 pagar o boleto", "não existe"),
        ("/lembrar todo dia 32 fechar o mês", "não existe em nenhum mês"),
        ("/lembrar a cada 5 minutos beber água", "Não sei repetir"),
        ("/lembrar toda segunda 25h daily", "não é uma hora válida"),
        ("/lembrar amanhã 9h " + "x" * 2000, "o máximo é 1000"),
        ("/lembrar amanhã 9h", "Falta dizer"),
        ("/lembrar", "Diga quando e o quê"),
    ],
)
async def test_bad_reminder_input_gets_a_clear_message_and_stores_nothing(
    tg: FakeTelegram, bot: object, database: Database, pedido: str, mensagem: str
) -> None:
    ana = await registrar(tg, 101, "Ana")
    resposta = await ana.diz(pedido)
    assert mensagem.replace("<b>", "").replace("</b>", "") in resposta["text"]
    assert await quantos(database) == 0


async def test_a_user_at_the_reminder_limit_is_told_and_nothing_is_stored(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    [ana_id] = await pessoas(tg, database, 1)
    ana = await usuario(database, ana_id)
    lembretes = servico(database, tg, database_url, relogio)
    for i in range(3):
        await lembretes.criar(ana, "amanhã 9h", f"tarefa {i}")
    with pytest.raises(Exception, match="já tem 3 lembretes"):
        await lembretes.criar(ana, "amanhã 9h", "uma a mais")
    assert await quantos(database) == 3


# -- firing ------------------------------------------------------------------------------------


async def test_amanha_9h_fires_at_nine_local_in_sao_paulo_and_in_manaus(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()  # 2026-12-01 12:00 UTC: 09:00 in São Paulo, 08:00 in Manaus
    sp_id, mao_id = await pessoas(tg, database, 2)
    sp, mao = await usuario(database, sp_id), await usuario(database, mao_id, fuso="America/Manaus")
    lembretes = servico(database, tg, database_url, relogio)
    await lembretes.criar(sp, "amanhã 9h", "reunião SP")
    await lembretes.criar(mao, "amanhã 9h", "reunião Manaus")
    enviador = entregador(database, bot_api, relogio)

    relogio.agora = datetime(2026, 12, 2, 11, 59, tzinfo=UTC)
    assert await lembretes.disparar_devidos() == 0
    relogio.agora = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo
    assert await lembretes.disparar_devidos() == 1
    await enviador.esvaziar()
    assert any("reunião SP" in t for t in textos(tg, sp_id)) and not textos(tg, mao_id)
    relogio.agora = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 09:00 in Manaus
    assert await lembretes.disparar_devidos() == 1
    await enviador.esvaziar()
    [disparo] = textos(tg, mao_id)
    assert "reunião Manaus" in disparo and "atraso" not in disparo


async def test_a_recurring_reminder_fires_on_the_right_days_across_a_month_boundary(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday, 09:00 in São Paulo
    [ana_id] = await pessoas(tg, database, 1)
    ana = await usuario(database, ana_id)
    lembretes = servico(database, tg, database_url, relogio)
    await lembretes.criar(ana, "todo dia útil 18h", "registrar horas")
    await lembretes.criar(ana, "todo dia 30 10h", "fechar o mês")
    disparos: list[tuple[str, str]] = []
    while relogio.agora < datetime(2027, 1, 3, tzinfo=UTC):  # every half hour for five weeks
        relogio.avancar(minutes=30)
        async with database.sessions() as session:
            devidos = list(await session.scalars(
                select(Lembrete).where(Lembrete.quando <= relogio.agora, Lembrete.status == "ativo")
            ))  # fmt: skip
        for lembrete in devidos:
            disparos.append((lembrete.texto, f"{lembrete.quando.astimezone(SP):%a %d/%m %H:%M}"))
        await lembretes.disparar_devidos()

    horas = [d for t, d in disparos if t == "registrar horas"]
    assert horas[:4] == ["Fri 27/11 18:00", "Mon 30/11 18:00", "Tue 01/12 18:00", "Wed 02/12 18:00"]
    assert all(not d.startswith(("Sat", "Sun")) for d in horas) and len(horas) == 26
    assert [d for t, d in disparos if t == "fechar o mês"] == ["Mon 30/11 10:00", "Wed 30/12 10:00"]
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Notificacao)) == 28


async def test_a_reminder_due_while_the_bot_was_down_fires_once_and_says_it_is_late(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()  # 09:00 in São Paulo
    [ana_id] = await pessoas(tg, database, 1)
    ana = await usuario(database, ana_id)
    lembretes = servico(database, tg, database_url, relogio)
    await lembretes.criar(ana, "todo dia 10h", "tomar água")
    relogio.avancar(days=3, hours=4)  # down for three days: back at 13:00
    await lembretes.disparar_devidos()
    await lembretes.disparar_devidos()
    await entregador(database, bot_api, relogio).esvaziar()

    [disparo] = textos(tg, ana_id)
    assert "tomar água" in disparo and "com atraso: era para ter 01/12 10:00" in disparo
    [lembrete] = await lembretes.listar(ana)
    assert lembrete.quando.astimezone(SP) == datetime(2026, 12, 5, 10, 0, tzinfo=SP)


async def test_a_fired_reminder_is_snoozed_with_one_tap(
    tg: FakeTelegram, bot: CogepApplication, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    await ana.diz("/lembrar em 10 minutos ligar pro cliente")
    async with database.sessions.begin() as session:  # ten minutes pass
        await session.execute(update(Lembrete).values(quando=datetime.now(UTC)))
    services: Services = bot.bot_data.services
    await services.lembretes.disparar_devidos()
    disparo = await ana.ve("⏰ Lembrete\nligar pro cliente")  # the app's own sender sends it

    depois = await ana.toca(disparo, "1 h")
    assert "Adiado para" in depois["text"] and not ana.botoes(depois)
    async with database.sessions() as session:
        salvo = await session.scalar(select(Lembrete))
    assert salvo is not None and salvo.status == "ativo"
    assert abs((salvo.quando - datetime.now(UTC)).total_seconds() - 3600) < 60


async def test_a_reminder_a_few_days_back_has_passed_and_a_far_one_says_next_year(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    hoje = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    recente, longe = hoje - timedelta(days=3), hoje - timedelta(days=100)

    passou = await ana.diz(f"/lembrar {recente:%d/%m} 14:00 pagar o boleto")
    assert "já passou" in passou["text"] and await quantos(database) == 0

    marcado = await ana.diz(f"/lembrar {longe:%d/%m} 14:00 renovar o domínio")
    async with database.sessions() as session:
        quando = await session.scalar(select(Lembrete.quando))
    assert quando is not None and quando.date() > hoje
    assert ("no ano que vem" in marcado["text"]) == (quando.year == hoje.year + 1)


async def test_snooze_counts_from_when_the_reminder_fired(
    tg: FakeTelegram, bot: CogepApplication, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    await ana.diz("/lembrar em 10 minutos ligar pro cliente")
    disparou = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    async with database.sessions.begin() as session:  # it fired 20 minutes ago
        await session.execute(update(Lembrete).values(quando=disparou))
    services: Services = bot.bot_data.services
    await services.lembretes.disparar_devidos()
    disparo = await ana.ve("⏰ Lembrete\nligar pro cliente")
    tg.backdate(ana.id, disparo["message_id"], disparou.timestamp())  # sent when it fired

    await ana.toca(disparo, "1 h")

    async with database.sessions() as session:
        salvo = await session.scalar(select(Lembrete))
    assert salvo is not None and salvo.quando == disparou + timedelta(hours=1)  # not now + 1 h


async def test_snoozing_a_future_reminder_from_the_list_never_pulls_it_earlier(
    tg: FakeTelegram, bot: CogepApplication, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    await ana.diz("/lembrar 10/10/2030 09:00 renovar o domínio")

    lista = await ana.diz("/lembretes")
    escolhas = await ana.toca(lista, "💤")
    await ana.toca(escolhas, "1 h")

    async with database.sessions() as session:
        salvo = await session.scalar(select(Lembrete))
    assert salvo is not None
    assert salvo.quando.astimezone(ZoneInfo("America/Sao_Paulo")) == datetime(
        2030, 10, 10, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo")
    )


async def test_snoozing_a_recurring_reminder_moves_only_that_occurrence(
    tg: FakeTelegram, bot: CogepApplication, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    await ana.diz("/lembrar toda segunda 9h daily da equipe")
    async with database.sessions() as session:
        proxima = await session.scalar(select(Lembrete.quando))
    assert proxima is not None

    escolhas = await ana.toca(await ana.diz("/lembretes"), "💤")
    await ana.toca(escolhas, "1 h")

    async with database.sessions() as session:
        rows = (await session.execute(select(Lembrete.quando, Lembrete.regra))).all()
    assert sorted(rows) == [
        (proxima + timedelta(hours=1), None),  # this Monday's, an hour later
        (proxima + timedelta(days=7), "semanal:0:09:00"),  # the rule goes on from next Monday
    ]
