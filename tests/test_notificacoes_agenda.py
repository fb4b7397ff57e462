"""The scheduler: deadline alerts, daily digests, weekly stale lists, health lines, one leader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from telegram import Bot

from bot.database import Database
from bot.notificacoes import Caixa, Nota, NotificacaoService
from bot.notificacoes.lembretes import LembreteService
from bot.notificacoes.lider import Lider
from bot.notificacoes.vigia import Vigia
from db.models import Documento, Notificacao, Processo, ProcessoEvento, Usuario
from handlers.teclados import BOTOES_DE_AVISO
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.test_notificacoes import Relogio, entregador, pessoas


@pytest.fixture
async def bot_api(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        yield bot


def agenda(database: Database, tg: FakeTelegram, url: str, relogio: Relogio) -> NotificacaoService:
    settings = make_settings(tg, url)
    caixa = Caixa(database.sessions, agora=relogio)
    lembretes = LembreteService(
        database.sessions, settings, caixa, botoes=BOTOES_DE_AVISO, agora=relogio
    )
    vigia = Vigia(database.sessions, caixa, lembretes, botoes=BOTOES_DE_AVISO, agora=relogio)
    return NotificacaoService(database.sessions, settings, caixa, vigia, agora=relogio)


async def ajustar(database: Database, telegram_id: int, **valores: object) -> Usuario:
    async with database.sessions.begin() as session:
        await session.execute(
            update(Usuario).where(Usuario.telegram_id == telegram_id).values(**valores)
        )
        usuario = await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))
    assert usuario is not None
    return usuario


async def processo(
    database: Database, dono: Usuario, *, seq: int, prazo: datetime | None,
    evento_em: datetime | None = None,
) -> Processo:  # fmt: skip
    async with database.sessions.begin() as session:
        p = Processo(
            sequencia=seq, numero=f"2026-{seq:04d}", titulo=f"Tarefa {seq}",
            solicitante_id=dono.id, responsavel_id=dono.id, prazo=prazo, status="aberto",
        )  # fmt: skip
        session.add(p)
        await session.flush()
        session.add(ProcessoEvento(processo_id=p.id, autor_id=dono.id, tipo="criado",
                                   criado_em=evento_em or datetime.now(UTC)))  # fmt: skip
    return p


def chegou(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m["text"] for m in tg.chat_messages(chat_id)]


async def chaves(database: Database) -> list[str]:
    async with database.sessions() as session:
        return sorted(await session.scalars(select(Notificacao.chave)))


# -- deadlines ---------------------------------------------------------------------------------


async def test_deadline_alerts_24h_before_when_it_passes_and_daily_while_overdue(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo
    [ana_id] = await pessoas(tg, database, 1)
    ana = await ajustar(database, ana_id, notif_resumo=False)
    await processo(database, ana, seq=42, prazo=datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    servico = agenda(database, tg, database_url, relogio)
    enviador = entregador(database, bot_api, relogio)

    async def rodar(**delta: float) -> list[str]:
        relogio.avancar(**delta)
        await servico.vigia.rodada()
        await servico.vigia.rodada()  # a doubled tick changes nothing
        await enviador.esvaziar()
        return chegou(tg, ana_id)

    assert await rodar(minutes=1) == []  # 26 h before
    [amanha] = await rodar(hours=2)  # 24 h before: 11:00 local
    assert "2026-0042" in amanha and "vence amanhã 12:00" in amanha
    assert len(await rodar(hours=24)) == 2  # the deadline passed at 12:00 local
    assert "venceu hoje 12:00" in chegou(tg, ana_id)[1]
    assert len(await rodar(hours=12)) == 2  # 00:00 local: the overdue alert waits for morning
    assert len(await rodar(hours=8)) == 3 and "Atrasado há 1 dia" in chegou(tg, ana_id)[2]
    assert len(await rodar(hours=10)) == 3  # once a day


async def test_an_alert_due_in_quiet_hours_waits_for_the_morning_and_says_the_real_time(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 23:30 in SP, 22:30 in Manaus
    sp_id, mao_id = await pessoas(tg, database, 2)
    sp = await ajustar(database, sp_id)
    mao = await ajustar(database, mao_id, fuso_horario="America/Manaus", silencio_inicio=23,
                        silencio_fim=7)  # fmt: skip
    await processo(database, sp, seq=1, prazo=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    await processo(database, mao, seq=2, prazo=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    servico = agenda(database, tg, database_url, relogio)
    enviador = entregador(database, bot_api, relogio)

    await servico.vigia.rodada()
    await enviador.esvaziar()
    assert chegou(tg, sp_id) == []  # 23:30 in São Paulo: quiet
    [manaus] = chegou(tg, mao_id)  # 22:30 in Manaus: before her quiet hours begin at 23:00
    assert "vence amanhã 22:00" in manaus

    relogio.agora = datetime(2026, 12, 2, 10, 59, tzinfo=UTC)  # 07:59 in São Paulo
    await enviador.esvaziar()
    assert chegou(tg, sp_id) == []
    relogio.agora = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # 08:00: quiet hours are over
    await enviador.esvaziar()
    [sao_paulo] = chegou(tg, sp_id)
    assert "vence hoje 23:00" in sao_paulo


async def test_an_alert_held_for_the_morning_does_not_hold_the_notices_due_before_it(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 23:30 in São Paulo: quiet
    [ana_id] = await pessoas(tg, database, 1)
    ana = await ajustar(database, ana_id, notif_resumo=False)
    await processo(database, ana, seq=7, prazo=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    servico = agenda(database, tg, database_url, relogio)
    enviador = entregador(database, bot_api, relogio)
    await servico.vigia.rodada()  # the deadline alert is written, held until 08:00
    lembretes = LembreteService(database.sessions, make_settings(tg, database_url),
                                Caixa(database.sessions, agora=relogio), agora=relogio)  # fmt: skip
    await lembretes.criar(ana, datetime(2026, 12, 2, 9, 5, tzinfo=UTC), "Ligar pro João")
    await enviador.esvaziar()
    assert chegou(tg, ana_id) == []

    relogio.agora = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)  # 06:05: the reminder is due
    await servico.vigia.rodada()
    await Caixa(database.sessions, agora=relogio).enviar(
        Nota(chave="processo:7:atribuido", tipo="processo", chat_id=ana_id,
             texto="Você agora é responsável pelo processo 2026-0007.")
    )  # fmt: skip
    await enviador.esvaziar()
    lembrete, atribuicao = chegou(tg, ana_id)
    assert "Ligar pro João" in lembrete and "responsável" in atribuicao

    relogio.agora = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # 08:00: the alert goes out
    await enviador.esvaziar()
    assert "2026-0007" in chegou(tg, ana_id)[2] and len(chegou(tg, ana_id)) == 3


async def test_the_deadline_switch_is_honoured(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    [ana_id] = await pessoas(tg, database, 1)
    ana = await ajustar(database, ana_id, notif_prazos=False)
    await processo(database, ana, seq=1, prazo=relogio.agora + timedelta(hours=2))
    servico = agenda(database, tg, database_url, relogio)
    await servico.vigia.prazos()
    assert await chaves(database) == []


# -- digest, stale list, health ------------------------------------------------------------------


async def test_the_digest_arrives_at_each_users_hour_in_their_zone_and_only_with_news(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 07:30 SP, 06:30 Manaus
    sp_id, mao_id, vazio_id = await pessoas(tg, database, 3)
    sp = await ajustar(database, sp_id, hora_resumo=8)
    mao = await ajustar(database, mao_id, hora_resumo=8, fuso_horario="America/Manaus")
    await ajustar(database, vazio_id, hora_resumo=8)
    await processo(database, sp, seq=1, prazo=relogio.agora - timedelta(days=2))
    await processo(database, sp, seq=2, prazo=None)
    await processo(database, mao, seq=3, prazo=None)
    servico = agenda(database, tg, database_url, relogio)
    enviador = entregador(database, bot_api, relogio)

    for _ in range(6):  # every half hour from 07:30 to 10:00 in São Paulo
        relogio.avancar(minutes=30)
        await servico.vigia.resumos()
        await enviador.esvaziar()
        if relogio.agora == datetime(2026, 12, 1, 11, 30, tzinfo=UTC):
            assert len(chegou(tg, sp_id)) == 1 and chegou(tg, mao_id) == []

    [resumo] = chegou(tg, sp_id)
    assert resumo.index("Atrasados (1)") < resumo.index("2026-0001") < resumo.index("Em aberto (1)")
    assert "atraso" not in resumo.split("\n")[1]
    [manaus] = chegou(tg, mao_id)
    assert "2026-0003" in manaus and chegou(tg, vazio_id) == []  # nothing to say: nothing sent
    mensagem = tg.chat_messages(sp_id)[0]
    botoes = [
        b["callback_data"] for row in mensagem["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert len(botoes) == 2 and all(b.startswith("pv:") for b in botoes)


async def test_a_digest_missed_while_down_is_sent_late_once_or_dropped_when_stale(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 1, 13, 10, tzinfo=UTC)  # 10:10 in SP: two hours late
    tarde_id, velho_id = await pessoas(tg, database, 2)
    tarde = await ajustar(database, tarde_id, hora_resumo=8)
    velho = await ajustar(database, velho_id, hora_resumo=6)  # four hours ago: no longer news
    await processo(database, tarde, seq=1, prazo=None)
    await processo(database, velho, seq=2, prazo=None)
    servico = agenda(database, tg, database_url, relogio)
    await servico.vigia.resumos()
    await servico.vigia.resumos()
    await entregador(database, bot_api, relogio).esvaziar()
    [resumo] = chegou(tg, tarde_id)
    assert "com atraso" in resumo and chegou(tg, velho_id) == []


async def test_the_digest_switch_is_honoured(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()  # 09:00 in São Paulo
    [ana_id] = await pessoas(tg, database, 1)
    ana = await ajustar(database, ana_id, hora_resumo=9, notif_resumo=False)
    await processo(database, ana, seq=1, prazo=None)
    await agenda(database, tg, database_url, relogio).vigia.resumos()
    assert await chaves(database) == []


async def test_gestores_get_the_weekly_stale_list_on_monday(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()
    relogio.agora = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday, 08:00 in São Paulo
    gil_id, ana_id, sem_id = await pessoas(tg, database, 3)
    await ajustar(database, gil_id, papel="gestor", hora_resumo=8)
    await ajustar(database, sem_id, papel="gestor", hora_resumo=8, notif_parados=False)
    ana = await ajustar(database, ana_id, hora_resumo=8)
    await processo(database, ana, seq=1, prazo=None, evento_em=relogio.agora - timedelta(days=9))
    await processo(database, ana, seq=2, prazo=None, evento_em=relogio.agora - timedelta(days=1))
    servico = agenda(database, tg, database_url, relogio)
    await servico.vigia.parados()
    await servico.vigia.parados()
    relogio.avancar(days=1)  # Tuesday: nothing
    await servico.vigia.parados()
    await entregador(database, bot_api, relogio).esvaziar()
    [lista] = chegou(tg, gil_id)
    assert "2026-0001" in lista and "2026-0002" not in lista and "9 dias" in lista
    assert chegou(tg, ana_id) == [] and chegou(tg, sem_id) == []


async def test_admins_who_opt_in_get_a_daily_health_line(
    tg: FakeTelegram, bot_api: Bot, database: Database, database_url: str
) -> None:
    relogio = Relogio()  # 09:00 in São Paulo
    quer_id, nao_id = await pessoas(tg, database, 2)
    await ajustar(database, quer_id, papel="admin", hora_resumo=9, notif_saude=True)
    await ajustar(database, nao_id, papel="admin", hora_resumo=9)
    async with database.sessions.begin() as session:  # two failed yesterday, one the day before
        for dias in (0.5, 0.9, 1.5):
            session.add(
                Documento(titulo="x.pdf", origem="arquivo", referencia="f", status="falhou",
                          processado_em=relogio() - timedelta(days=dias))
            )  # fmt: skip
    servico = agenda(database, tg, database_url, relogio)
    await servico.vigia.saude()
    await entregador(database, bot_api, relogio).esvaziar()
    [linha] = chegou(tg, quer_id)
    assert "Cogep no ar desde" in linha and "notificações enviadas" in linha
    assert "2 documentos não entraram na base de conhecimento" in linha
    assert chegou(tg, nao_id) == []


# -- one leader ----------------------------------------------------------------------------------


async def test_one_scheduler_leader_among_replicas_and_a_successor_when_it_goes(
    database: Database,
) -> None:
    a, b = Lider(database.sessions, chave=4242), Lider(database.sessions, chave=4242)
    assert await a.sou_lider() and not await b.sou_lider()
    assert await a.sou_lider() and not await b.sou_lider()
    await a.largar()  # the leader stops (or dies: its connection closes)
    assert await b.sou_lider() and not await a.sou_lider()
    await b.largar()
