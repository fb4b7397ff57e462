"""Flood control: a person who floods gets one polite warning, their excess is dropped (and not
replayed), and everybody else is served as usual."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.enxurrada import Enxurrada, Veredito
from db.models import Lembrete, UpdateRecebido
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

RAJADA = 5


@pytest.fixture
async def vigiado(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    """The bot with flood control on: one update a second, a burst of five."""
    settings = make_settings(tg, database_url, flood_por_segundo=1.0, flood_rajada=RAJADA)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


def _avisos(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m["text"] for m in tg.chat_messages(chat_id) if m.get("text") == texts.ENXURRADA_PLAIN]


async def test_fifty_messages_at_once_get_one_warning_and_others_stay_served(
    vigiado: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana, bruno = Pessoa(tg, 701, "Ana"), Pessoa(tg, 702, "Bruno")
    await ana.diz("/start")
    await bruno.diz("/start")
    await asyncio.sleep(1.1)  # Ana's /start is a second old: her bucket is full again

    for n in range(50):
        ana.envia(f"/lembrar amanhã 9h conferir o item {n}")
    inicio = time.monotonic()
    resposta = await bruno.diz("/ajuda")
    atendido_em = time.monotonic() - inicio
    await tg.wait_for(lambda: _avisos(tg, 701) or None, timeout=5)
    await tg.wait_for(  # every one of the fifty handled or dropped, and marked so
        lambda: _sem_pendentes(vigiado) or None, timeout=10
    )

    assert "/novo" in resposta["text"]  # Bruno got his /ajuda...
    assert atendido_em < 2.0  # ... promptly
    assert len(_avisos(tg, 701)) == 1  # one warning, not one per message
    async with database.sessions() as session:
        lembretes = await session.scalar(select(func.count()).select_from(Lembrete))
        abertos = await session.scalar(
            select(func.count())
            .select_from(UpdateRecebido)
            .where(UpdateRecebido.concluido_em.is_(None))
        )
        efetivados = await session.scalar(
            select(func.count())
            .select_from(UpdateRecebido)
            .where(UpdateRecebido.efetivado_em.is_not(None))
        )
    assert lembretes is not None
    assert RAJADA <= lembretes <= RAJADA + 2  # the burst (and a second's refill at most)
    assert efetivados == lembretes  # each reminder made is its update's change; a drop is none
    assert abertos == 0  # dropped ones are marked handled: a restart does not replay them


def _sem_pendentes(app: CogepApplication) -> bool:
    porta = app.bot.porta
    return not porta._em_curso


def test_the_warning_comes_again_only_after_a_quiet_spell() -> None:
    relogio = [1000.0]
    gate = Enxurrada(por_segundo=1.0, rajada=3, agora=lambda: relogio[0])

    primeira = [gate.admitir(7) for _ in range(6)]
    relogio[0] += 1.0  # one second: one more update, the flood goes on
    segunda = [gate.admitir(7) for _ in range(3)]
    relogio[0] += 10.0  # quiet: the bucket is full again
    terceira = [gate.admitir(7) for _ in range(5)]

    assert primeira == [Veredito.PASSA] * 3 + [Veredito.AVISAR] + [Veredito.DESCARTAR] * 2
    assert segunda == [Veredito.PASSA, Veredito.DESCARTAR, Veredito.DESCARTAR]
    assert terceira == [Veredito.PASSA] * 3 + [Veredito.AVISAR, Veredito.DESCARTAR]
    assert gate.admitir(8) is Veredito.PASSA  # somebody else is untouched


def test_a_backlog_typed_at_a_human_pace_is_no_flood() -> None:
    relogio = [5000.0]
    gate = Enxurrada(por_segundo=1.0, rajada=3, agora=lambda: relogio[0])

    # Ten messages written two seconds apart while the bot was down, delivered at once.
    vereditos = [gate.admitir(7, enviado_em=4000.0 + 2 * n) for n in range(10)]

    assert vereditos == [Veredito.PASSA] * 10


def test_an_album_counts_once() -> None:
    gate = Enxurrada(por_segundo=1.0, rajada=2, agora=lambda: 0.0)

    album = [gate.admitir(7, enviado_em=0.0, album="a1") for _ in range(10)]
    outro = [gate.admitir(7, enviado_em=0.0, album="a2") for _ in range(10)]
    terceiro = [gate.admitir(7, enviado_em=0.0, album="a3") for _ in range(10)]

    assert album == [Veredito.PASSA] * 10
    assert outro == [Veredito.PASSA] * 10
    assert terceiro == [Veredito.AVISAR] + [Veredito.DESCARTAR] * 9  # all or nothing


def test_zero_per_second_turns_it_off() -> None:
    gate = Enxurrada(por_segundo=0, rajada=1, agora=lambda: 0.0)

    assert {gate.admitir(7) for _ in range(100)} == {Veredito.PASSA}
