"""`cogep run` in webhook mode, as Telegram and an attacker reach it over HTTP.

Telegram calls WEBHOOK_URL itself, so the bot registers that URL and listens on its path; a push
without the WEBHOOK_SECRET header is refused (403) and nothing is processed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.database import Database
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_cli import ROOT, cogep

SECRET = "s3gredo_do-webhook"
JSON = dict[str, Any]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _forged_start(update_id: int, user_id: int) -> JSON:
    user = {"id": user_id, "is_bot": False, "first_name": "Intruso"}
    chat = {"id": user_id, "type": "private", "first_name": "Intruso"}
    message = {"message_id": 1, "date": 1_700_000_000, "chat": chat, "from": user}
    return {"update_id": update_id, "message": {**message, "text": "/start"}}


def _sent_to(tg: FakeTelegram, chat_id: int) -> list[JSON]:
    return [c.params for c in tg.calls_to("sendMessage") if c.params.get("chat_id") == chat_id]


@pytest.fixture
async def webhook_bot(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[str]:
    """`cogep run` with WEBHOOK_URL on a path of its own; yields that URL."""
    url = f"http://127.0.0.1:{_free_port()}/cogep/telegram"
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": url,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": url.split(":")[2].split("/")[0],
        "WEBHOOK_SECRET": SECRET,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await tg.wait_for_call("setWebhook", timeout=30)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, stderr.decode()


async def test_telegram_pushes_to_webhook_url_itself_and_the_bot_answers(
    tg: FakeTelegram, webhook_bot: str
) -> None:
    [registered] = tg.calls_to("setWebhook")

    reply = await Pessoa(tg, 611, "Bia").diz("/start", timeout=30)

    assert registered.params["url"] == webhook_bot  # not WEBHOOK_URL + "/telegram"
    assert registered.params["secret_token"] == SECRET
    assert "Boas-vindas" in reply["text"]


@pytest.mark.parametrize("header", [None, "segredo-errado"])
async def test_a_push_without_the_secret_is_refused_and_changes_nothing(
    tg: FakeTelegram, webhook_bot: str, header: str | None
) -> None:
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    async with httpx.AsyncClient() as client:
        forged = await client.post(webhook_bot, json=_forged_start(9001, 666), headers=headers)
        genuine = await client.post(
            webhook_bot,
            json=_forged_start(9002, 667),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    await tg.wait_for(lambda: _sent_to(tg, 667), timeout=30)

    assert forged.status_code == 403
    assert genuine.status_code == 200
    assert _sent_to(tg, 666) == []  # the refused /start was never handled: no answer


def test_webhook_mode_refuses_to_start_without_a_secret() -> None:
    result = cogep(
        "run",
        env={"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://bot.exemplo.com.br/tg"},
    )

    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in result.stderr and "obrigatório" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
