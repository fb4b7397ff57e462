"""A connection cut exactly at COMMIT: the reply tells what really happened.

Before the inbox, the reply said "Nada foi alterado" although the processo existed. Now the
COMMIT's own transaction marks the inbox row, and the bot asks the inbox what became of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import make_url, select

from bot.app import build_application, serving
from bot.database import Database
from db.engine import create_engine, create_sessions
from db.models import Processo
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.reliability.proxy import ProxyDeCorte
from tests.test_processos import registrar


@pytest.fixture
async def proxy(database: Database) -> AsyncIterator[ProxyDeCorte]:
    url = database.engine.url
    # The embedded server's URL names its socket directory in the query (?host=/dir&port=N).
    socket_dir, port = url.query.get("host"), int(str(url.query.get("port") or url.port or 5432))
    unix_socket = f"{socket_dir}/.s.PGSQL.{port}" if isinstance(socket_dir, str) else None
    async with ProxyDeCorte(url.host or "127.0.0.1", port, unix_socket=unix_socket) as proxy:
        yield proxy


@pytest.fixture
async def pela_proxy(
    tg: FakeTelegram, database: Database, database_url: str, proxy: ProxyDeCorte
) -> AsyncIterator[None]:
    """The bot, talking to PostgreSQL through the proxy."""
    # Without the query's host and port, which would override these and bypass the proxy.
    url = make_url(database_url).difference_update_query(["host", "port"])
    url = url.set(host="127.0.0.1", port=proxy.porta)
    engine = create_engine(url.render_as_string(hide_password=False), pool_size=5)
    app = build_application(
        make_settings(tg, database_url),
        database=Database(engine=engine, sessions=create_sessions(engine)),
    )
    try:
        async with serving(app, poll_timeout=1):
            yield
    finally:
        await engine.dispose()


async def _titulos(database: Database) -> list[str]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Processo.titulo)))


async def test_a_commit_whose_answer_is_lost_is_confirmed_through_the_inbox(
    pela_proxy: None, tg: FakeTelegram, database: Database, proxy: ProxyDeCorte
) -> None:
    ana = await registrar(tg, 901, "Ana")
    proxy.armar("depois")

    reply = await ana.diz("/novo Gravado no escuro", timeout=15)

    assert proxy.cortes == 1
    assert await _titulos(database) == ["Gravado no escuro"]
    assert "Feito: processo 2026-0001" in reply["text"] or "Feito: processo" in reply["text"]
    assert "Nada foi alterado" not in reply["text"]


async def test_a_commit_cut_before_it_reached_the_server_says_nothing_changed(
    pela_proxy: None, tg: FakeTelegram, database: Database, proxy: ProxyDeCorte
) -> None:
    ana = await registrar(tg, 902, "Ana")
    proxy.armar("antes")

    reply = await ana.diz("/novo Nunca gravado", timeout=15)

    assert proxy.cortes == 1
    assert await _titulos(database) == []
    assert "Nada foi alterado" in reply["text"]


async def test_when_nobody_can_tell_the_reply_says_so_and_points_to_processos(
    pela_proxy: None, tg: FakeTelegram, database: Database, proxy: ProxyDeCorte
) -> None:
    ana = await registrar(tg, 903, "Ana")
    proxy.armar("depois", fora_do_ar=6)  # longer than the bot keeps asking

    reply = await ana.diz("/novo Talvez gravado", timeout=20)

    assert "não consegui confirmar" in reply["text"] and "/processos" in reply["text"]
    assert "Nada foi alterado" not in reply["text"]
    assert await _titulos(database) == ["Talvez gravado"]  # it was, in fact
    ana.envia("/processos")  # waits for the database, then is answered
    await ana.ve("Talvez gravado", timeout=15)
