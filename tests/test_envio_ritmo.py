"""Pacing: a flood of replies stays under Telegram's limits, and a bystander is not held up.

The fake Bot API enforces Telegram's flood control here (30/s overall, 1/s per private chat,
429 beyond), and the bot runs with its per-chat pacing on, as `cogep run` ships it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator

import pytest

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram, FloodLimits

USUARIOS = 40
POR_USUARIO = 2


@pytest.fixture
async def bot_com_ritmo(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    app = build_application(make_settings(tg, database_url, ritmo_por_chat=True), database=database)
    async with serving(app, poll_timeout=1):
        yield app


def respostas(tg: FakeTelegram, chat_id: int) -> int:
    return len(tg.chat_messages(chat_id))


async def test_a_flood_of_replies_draws_no_429_and_a_bystander_is_answered_within_seconds(
    tg: FakeTelegram, bot_com_ritmo: CogepApplication
) -> None:
    limites = tg.enforce_limits(FloodLimits(per_second=30, per_chat_per_second=1))
    pessoas = [tg.user(8_000_000 + i, f"Pessoa {i}") for i in range(USUARIOS)]
    for _ in range(POR_USUARIO):  # 80 replies wanted at once: more than Telegram's 30/s
        for pessoa in pessoas:
            tg.send_text(pessoa, "/start")
    await tg.wait_for(
        lambda: sum(respostas(tg, p["id"]) for p in pessoas) >= 20 or None, timeout=10
    )
    curioso = tg.user(8_100_000, "Curioso")
    inicio = time.monotonic()
    tg.send_text(curioso, "/start")
    await tg.wait_for_message(curioso["id"], timeout=10)
    espera = time.monotonic() - inicio

    await tg.wait_for(
        lambda: all(respostas(tg, p["id"]) >= POR_USUARIO for p in pessoas) or None, timeout=20
    )
    assert limites.refused == 0  # unpaced, this flood drew about 20
    assert espera < 5  # behind the flood's share of the 30/s, never behind a retry_after
    for pessoa in pessoas[:3]:  # each chat at most one message a second
        momentos = [c.at for c in tg.calls_to("sendMessage")
                    if c.params["chat_id"] == pessoa["id"] and c.error is None]  # fmt: skip
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(momentos))


async def test_a_429_pauses_only_that_chat(
    tg: FakeTelegram, bot_com_ritmo: CogepApplication
) -> None:
    ana, bia = tg.user(8_200_001, "Ana"), tg.user(8_200_002, "Bia")
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 3",
                 retry_after=3, chat_id=ana["id"])  # fmt: skip
    inicio = time.monotonic()
    tg.send_text(ana, "/start")
    await tg.wait_for(lambda: tg.calls_to("sendMessage") or None, timeout=5)
    tg.send_text(bia, "/start")
    await tg.wait_for_message(bia["id"], timeout=5)
    assert time.monotonic() - inicio < 2  # Bia is not held by Ana's retry_after
    await tg.wait_for_message(ana["id"], timeout=10)
    assert time.monotonic() - inicio >= 2.9  # Ana's reply came once her pause was over
