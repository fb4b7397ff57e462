"""The inbox: an update Telegram delivers twice acts once; one a crash left behind is handled
at start, in order, once."""

from __future__ import annotations

import asyncio
import json
import socket

from sqlalchemy import func, select, text

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import Processo, UpdateRecebido
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar


async def _processos(database: Database) -> list[str]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Processo.titulo).order_by(Processo.id)))


async def _pendentes(database: Database) -> int:
    """Updates not marked done, once the marks of the last replies are written (10 ms)."""
    for _ in range(40):
        async with database.sessions() as session:
            restantes = await session.scalar(
                select(func.count()).where(UpdateRecebido.concluido_em.is_(None))
            )
        if not restantes:
            return 0
        await asyncio.sleep(0.05)
    return restantes or 0


async def test_the_same_update_twice_in_one_batch_creates_one_processo(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 801, "Ana")

    update = tg.send_text(ana.user, "/novo Uma vez só")
    tg.redeliver(update)  # both copies wait in the same getUpdates batch
    await ana.ve("Uma vez só")
    await ana.diz("/ajuda")  # the bot has processed everything before

    assert await _processos(database) == ["Uma vez só"]
    textos = [m["text"] for m in tg.chat_messages(ana.id)]
    assert sum("Uma vez só" in t for t in textos) == 1


async def test_an_update_delivered_again_after_it_was_handled_acts_once(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 802, "Ana")
    update = tg.send_text(ana.user, "/novo Confirmação perdida")
    await ana.ve("Confirmação perdida")

    tg.redeliver(update)  # Telegram never got the confirmation
    await ana.diz("/ajuda")

    assert await _processos(database) == ["Confirmação perdida"]
    textos = [m["text"] for m in tg.chat_messages(ana.id)]
    assert sum("Confirmação perdida" in t for t in textos) == 1
    assert await _pendentes(database) == 0


async def test_a_webhook_redelivery_acts_once(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook = {
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
        "webhook_url": f"http://127.0.0.1:{port}/telegram",
        "webhook_secret": "segredo-do-webhook",
    }
    app = build_application(make_settings(tg, database_url, **webhook), database=database)

    async with serving(app):
        ana = await registrar(tg, 803, "Ana")
        update = tg.send_text(ana.user, "/novo Pelo webhook")
        await ana.ve("Pelo webhook")
        tg.redeliver(update)  # the 200 was lost on the way back
        await ana.diz("/ajuda")

    assert await _processos(database) == ["Pelo webhook"]


async def test_updates_a_crash_left_unhandled_are_handled_at_start_in_order_once(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    # The last run stored these and died before handling them (Telegram had them confirmed).
    async with serving(build_application(make_settings(tg, database_url), database=database)):
        ana = await registrar(tg, 804, "Ana")
    deixados = [tg.send_text(ana.user, f"/novo Deixado {n}") for n in range(1, 4)]
    tg._pending.clear()  # confirmed at Telegram: only the inbox still has them
    async with database.sessions() as session:
        for update in deixados:
            await session.execute(
                text("INSERT INTO updates_recebidos (update_id, dados) VALUES (:id, :dados)"),
                {"id": update["update_id"], "dados": json.dumps(update)},
            )

    async with serving(build_application(make_settings(tg, database_url), database=database)):
        for n in range(1, 4):
            await ana.ve(f"Deixado {n}", timeout=10)
        tg.redeliver(deixados[0])  # and Telegram's own copy of one of them comes too
        await ana.diz("/ajuda")

    assert await _processos(database) == ["Deixado 1", "Deixado 2", "Deixado 3"]
    assert await _pendentes(database) == 0


async def test_a_change_committed_before_a_crash_is_not_made_again_and_is_told(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with serving(build_application(make_settings(tg, database_url), database=database)):
        ana = await registrar(tg, 805, "Ana")
        update = tg.send_text(ana.user, "/novo Feito antes da queda")
        await ana.ve("Feito antes da queda")
    # The crash came after the COMMIT, before the reply left and the row was marked done.
    async with database.sessions() as session:
        await session.execute(
            text("UPDATE updates_recebidos SET concluido_em = NULL WHERE update_id = :id"),
            {"id": update["update_id"]},
        )

    async with serving(build_application(make_settings(tg, database_url), database=database)):
        reply = await ana.ve("já tinha sido feito", timeout=10)

    assert await _processos(database) == ["Feito antes da queda"]
    async with database.sessions() as session:
        numero = await session.scalar(select(Processo.numero))
    assert f"processo {numero}" in reply["text"]
    assert await _pendentes(database) == 0
