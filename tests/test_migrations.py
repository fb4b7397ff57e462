"""Migrations: `upgrade head` builds exactly the models, and `downgrade base` undoes it all."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot import migrations
from bot.notificacoes.entrega import Entregador
from bot.saida.transporte import TelegramTransporte
from db.engine import create_sessions
from db.models import Base
from tests.fake_telegram import FakeTelegram


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_head_matches_the_models(empty_engine: AsyncEngine) -> None:
    await migrations.upgrade(empty_engine)

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    assert await migrations.is_current(empty_engine)


async def test_downgrade_base_leaves_only_the_version_table(empty_engine: AsyncEngine) -> None:
    await migrations.upgrade(empty_engine)
    await migrations.downgrade(empty_engine, "base")

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_tables) == {"alembic_version"}
        leftovers = await connection.scalar(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'cogep_unaccent'")
        )
    assert leftovers == 0
    assert not await migrations.is_current(empty_engine)


async def test_a_fresh_database_is_reported_outdated(empty_engine: AsyncEngine) -> None:
    assert await migrations.current_revision(empty_engine) is None
    assert not await migrations.is_current(empty_engine)


async def test_replies_held_back_before_the_upgrade_are_delivered_after_it(
    empty_engine: AsyncEngine, tg: FakeTelegram
) -> None:
    await migrations.upgrade(empty_engine, "0012")  # replies waited in their own table then
    tg.user(701, "Ana")
    tg.user(702, "Bia")
    teclado = {"inline_keyboard": [[{"text": "Abrir", "callback_data": "p:1"}]]}
    async with empty_engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO respostas_adiadas (chat_id, html, teclado, enviar_apos) VALUES "
                "(701, 'Processo <b>2026-0001</b> aberto', CAST(:teclado AS jsonb), now()), "
                "(702, 'Comentário registrado.', NULL, now() - interval '1 minute')"
            ),
            {"teclado": json.dumps(teclado)},
        )

    await migrations.upgrade(empty_engine)
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        enviador = Entregador(create_sessions(empty_engine), TelegramTransporte(bot))
        await enviador.esvaziar()

    [aberto] = tg.chat_messages(701)
    assert aberto["text"] == "Processo 2026-0001 aberto"
    assert aberto["reply_markup"] == teclado
    assert [m["text"] for m in tg.chat_messages(702)] == ["Comentário registrado."]
    async with empty_engine.connect() as connection:
        assert "respostas_adiadas" not in await connection.run_sync(_tables)
