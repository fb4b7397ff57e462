"""Faults and odd updates: blocked users, outdated schema, webhooks, groups, crashes, secrets."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import make_url, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot import migrations
from bot.app import CogepApplication, OutdatedSchema, build_application, serving
from bot.database import Database
from bot.logs import RedactSecrets
from db.engine import create_engine, create_sessions
from db.models import Processo, Usuario
from tests.conftest import ADMIN_ID, make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_processos import registrar
from tests.throwaway import execute_admin


async def _ativo(database: Database, telegram_id: int) -> bool | None:
    async with database.sessions() as session:
        return await session.scalar(select(Usuario.ativo).where(Usuario.telegram_id == telegram_id))


async def test_a_forbidden_reply_marks_the_user_inactive(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 501, "Ana")
    tg.block(ana.id)

    ana.envia("/ajuda")
    await tg.wait_for(lambda: any(c.error for c in tg.calls_to("sendMessage")))
    for _ in range(40):
        if await _ativo(database, ana.id) is False:
            break
        await asyncio.sleep(0.05)

    assert await _ativo(database, ana.id) is False


async def test_the_bot_refuses_an_outdated_schema(
    tg: FakeTelegram, empty_engine: AsyncEngine
) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)
    app = build_application(make_settings(tg, url))

    with pytest.raises(OutdatedSchema, match="cogep migrate"):
        async with serving(app, poll_timeout=1):
            pass


async def test_migrate_flag_brings_the_schema_up_to_date(
    tg: FakeTelegram, empty_engine: AsyncEngine
) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)
    app = build_application(make_settings(tg, url), migrate=True)

    async with serving(app, poll_timeout=1):
        reply = await Pessoa(tg, 502, "Bia").diz("/start")

    assert "Boas-vindas" in reply["text"]
    assert await migrations.is_current(empty_engine)


async def test_webhook_mode_with_a_secret(
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
        reply = await Pessoa(tg, 503, "Caio").diz("/start")

    assert "Boas-vindas" in reply["text"]
    assert tg.calls_to("setWebhook")[0].params["secret_token"] == "segredo-do-webhook"


async def test_edited_messages_and_channel_posts_are_ignored(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 504, "Ana")
    own_message = tg.send_text(ana.user, "/ajuda")["message"]["message_id"]
    await ana.ve("Comandos")
    sent_before = len(tg.calls_to("sendMessage"))

    tg.edit_text(ana.user, own_message, "/novo Editado")
    tg.channel_post(-1001234, "/start")
    await Pessoa(tg, 505, "Testemunha").diz("/ajuda")  # the bot has processed everything before

    assert len(tg.calls_to("sendMessage")) == sent_before + 1


async def test_groups_get_commands_but_only_addressed_free_text(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana, chefe = await registrar(tg, 506, "Ana"), await registrar(tg, ADMIN_ID, "Chefe")
    grupo = tg.group(-1009876, "Equipe")
    tg.my_chat_member(chefe.user, new_status="member", chat=grupo)  # an admin adds the bot
    await tg.wait_for_message(grupo["id"])

    help_in_group = await ana.diz("/ajuda@cogep_test_bot", chat=grupo)
    ana.envia("conversa entre humanos", chat=grupo)
    mentioned = await ana.diz("@cogep_test_bot oi", chat=grupo)

    assert "Comandos" in help_in_group["text"]
    texts = [m["text"] for m in tg.chat_messages(grupo["id"])]
    assert len(texts) == 3 and mentioned["text"] == texts[-1]  # greeting, /ajuda, mention


async def test_a_crash_inside_a_handler_gets_an_apology(
    bot: CogepApplication, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    ana = await registrar(tg, 507, "Ana")
    services = bot.bot_data.services

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("defeito inesperado")

    original = services.processos.listar
    object.__setattr__(services.processos, "listar", broken)
    try:
        with caplog.at_level(logging.ERROR):
            reply = await ana.diz("/processos")
    finally:
        object.__setattr__(services.processos, "listar", original)

    assert "Desculpe, algo deu errado" in reply["text"]
    assert any("update" in r.getMessage() and r.exc_info for r in caplog.records)
    assert "Nenhum processo" in (await ana.diz("/processos"))["text"]  # and the bot goes on


async def test_membros_cannot_assign_even_with_a_forged_button(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 508, "Ana")
    reply = await ana.diz("/novo Tarefa da Ana")
    tela = await ana.diz("/processo 1")

    assert not any("Atribuir" in b for b in ana.botoes(tela))
    await ana.toca_dados(tela["message_id"], "pr:1")
    assert "Só gestores" in tg.answered_callbacks()[-1].get("text", "")
    assert "aberto" in reply["text"]


@pytest.mark.parametrize("args", ["abc", "2026-", "-5", "0", "1; DROP TABLE processos"])
async def test_garbage_numbers_are_explained(
    bot: CogepApplication, tg: FakeTelegram, args: str
) -> None:
    ana = await registrar(tg, 509, "Ana")

    reply = await ana.diz(f"/processo {args}")

    assert "Número inválido" in reply["text"]


async def test_one_slow_user_does_not_hold_up_another(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 510, "Ana")
    bia = await registrar(tg, 511, "Bia")
    services = bot.bot_data.services
    release = asyncio.Event()
    original = services.processos.listar

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await original(*args, **kwargs)

    object.__setattr__(services.processos, "listar", slow)
    try:
        ana.envia("/processos")
        ana_second = asyncio.create_task(ana.diz("/ajuda"))
        bia_reply = await bia.diz("/ajuda")
        assert not ana_second.done()  # Ana's /ajuda waits behind her own /processos
        release.set()
        await ana_second
        await ana.ve("Comandos")
    finally:
        object.__setattr__(services.processos, "listar", original)

    assert "Comandos" in bia_reply["text"]
    ana_texts = [m["text"] for m in tg.chat_messages(ana.id)]
    assert ana_texts[-2].startswith("Processos") and ana_texts[-1].startswith("Comandos")


def test_secrets_never_reach_the_logs() -> None:
    token = "123456789:AAH-fake_token_value_for_tests_12345"
    redact = RedactSecrets([token, "senha-do-banco"])
    message = "HTTP Request: POST https://api.telegram.org/bot%s/getUpdates; db=%s"
    args = (token, "postgresql://u:senha-do-banco@h/db")
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, message, args, None)

    redact.filter(record)

    assert token not in record.getMessage() and "senha-do-banco" not in record.getMessage()
    assert "bot***/getUpdates" in record.getMessage()


async def test_flood_control_is_waited_out_and_nothing_is_lost(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 512, "Ana")
    tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        chat_id=ana.id,
    )

    reply = await ana.diz("/ajuda", timeout=10)

    assert "Comandos" in reply["text"]
    refused = [c for c in tg.calls_to("sendMessage") if c.error is not None]
    assert len(refused) == 1 and refused[0].error["error_code"] == 429  # type: ignore[index]


async def test_a_second_poller_gets_one_clear_line_and_the_bot_recovers(
    bot: CogepApplication, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    ana = await registrar(tg, 513, "Ana")
    await tg.wait_for_call("getUpdates", after=len(tg.calls))  # the bot's long poll is pending
    caplog.clear()

    async with Bot(tg.token, base_url=tg.base_url) as intruso:  # `cogep run` started twice
        await intruso.get_updates(timeout=0)
    await tg.wait_for(
        lambda: any("409 Conflict" in r.getMessage() for r in caplog.records), timeout=5
    )
    reply = await ana.diz("/ajuda", timeout=10)

    conflicts = [r for r in caplog.records if "409 Conflict" in r.getMessage()]
    assert "another process is polling with this token" in conflicts[0].getMessage()
    assert all(r.exc_info is None for r in conflicts)  # a line an operator reads, no traceback
    assert "Comandos" in reply["text"]


@pytest.fixture
async def banco_proprio(database_url: str) -> AsyncIterator[tuple[str, str]]:
    """(url, admin url) of a migrated database of this test's own, safe to switch off."""
    nome = f"cogep_queda_{uuid.uuid4().hex[:8]}"
    admin = make_url(database_url).set(database="postgres").render_as_string(hide_password=False)
    url = make_url(database_url).set(database=nome).render_as_string(hide_password=False)
    await execute_admin(admin, f'CREATE DATABASE "{nome}"')
    try:
        engine = create_engine(url)
        await migrations.upgrade(engine)
        await engine.dispose()
        yield url, admin
    finally:
        await execute_admin(admin, f'ALTER DATABASE "{nome}" ALLOW_CONNECTIONS true')
        await execute_admin(admin, f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')


async def test_a_database_outage_is_explained_and_nothing_sent_meanwhile_is_lost(
    tg: FakeTelegram, banco_proprio: tuple[str, str]
) -> None:
    url, admin = banco_proprio
    nome = make_url(url).database
    engine = create_engine(url, pool_size=5)
    database = Database(engine=engine, sessions=create_sessions(engine))
    app = build_application(make_settings(tg, url), database=database)
    try:
        async with serving(app, poll_timeout=1):
            ana = await registrar(tg, 520, "Ana")
            await ana.diz("/novo Antes da queda")

            # The server restarts and, for a while, refuses this database.
            await execute_admin(admin, f'ALTER DATABASE "{nome}" ALLOW_CONNECTIONS false')
            await execute_admin(
                admin,
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{nome}'",
            )
            durante = await ana.diz("/novo Durante a queda", timeout=20)
            reconectando = await ana.diz("/processos", timeout=20)
            await execute_admin(admin, f'ALTER DATABASE "{nome}" ALLOW_CONNECTIONS true')
            criado = await ana.ve("Durante a queda", timeout=30)  # handled once it is back
            await ana.ve("Processos", timeout=10)
            depois = await ana.diz("/novo Depois da queda", timeout=20)

        for resposta in (durante, reconectando):
            assert "banco de dados está indisponível" in resposta["text"]
            assert "não precisa repetir" in resposta["text"]
        assert "aberto" in criado["text"] and "aberto" in depois["text"]
        async with database.sessions() as session:
            titulos = list(await session.scalars(select(Processo.titulo).order_by(Processo.id)))
        assert titulos == ["Antes da queda", "Durante a queda", "Depois da queda"]
    finally:
        await engine.dispose()
