"""A 429 storm longer than the retries: the real reply arrives late, never an apology."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from bot.app import CogepApplication
from bot.database import Database
from bot.saida.envio import FLOOD_RETRIES
from db.models import Notificacao, Processo
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar


async def test_a_reply_refused_past_its_retries_is_delivered_late_and_true(
    bot: CogepApplication,
    tg: FakeTelegram,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ana = await registrar(tg, 1101, "Ana")
    tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        times=FLOOD_RETRIES + 2,  # the storm outlasts the in-place retries, and one more
        chat_id=ana.id,
    )

    with caplog.at_level(logging.INFO):
        reply = await ana.diz("/novo Criado na enxurrada", timeout=20)

    assert "aberto" in reply["text"] and "Criado na enxurrada" in reply["text"]
    textos = [m["text"] for m in tg.chat_messages(ana.id)]
    assert not [t for t in textos if "algo deu errado" in t]
    assert sum("Criado na enxurrada" in t for t in textos) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("held back by flood control" in r.getMessage() for r in caplog.records)
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Processo)) == 1
    for _ in range(50):  # the outbox records the delivery right after the send
        async with database.sessions() as session:
            restantes = await session.scalar(
                select(func.count())
                .select_from(Notificacao)
                .where(Notificacao.tipo == "resposta", Notificacao.status != "enviada")
            )
        if restantes == 0:
            break
        await asyncio.sleep(0.05)
    assert restantes == 0
