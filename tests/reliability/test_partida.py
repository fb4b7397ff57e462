"""Start-up faults as an operator meets them: one clear pt-BR line, exit code 2, no secret."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-TOKEN"


def _porta_fechada() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def cogep_run(env: dict[str, str], *, timeout: float = 40) -> tuple[int, str]:
    """`cogep run` in a clean environment, without blocking the fake's event loop."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    processo = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env={**base, "PYTHONPATH": str(ROOT), "COGEP_TELEGRAM_PATIENCE": "1",
             "COGEP_DB_PATIENCE": "1", **env},
        cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    saida, _ = await asyncio.wait_for(processo.communicate(), timeout)
    assert processo.returncode is not None
    return processo.returncode, saida.decode()


def _linhas_de_erro(saida: str) -> list[str]:
    return [linha for linha in saida.splitlines() if linha.startswith("cogep:")]


def _env(tg: FakeTelegram, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        **extra,
    }


async def test_a_rejected_token_is_one_line_without_the_token(
    tg: FakeTelegram, database_url: str
) -> None:
    segredo = "987654:AAH-segredo-que-nao-pode-vazar"

    codigo, saida = await cogep_run(_env(tg, database_url, TELEGRAM_BOT_TOKEN=segredo))

    assert codigo == 2, saida
    assert segredo not in saida and "987654" not in saida
    assert _linhas_de_erro(saida) == [
        "cogep: O Telegram recusou o token (401 Unauthorized). Confira TELEGRAM_BOT_TOKEN "
        "(copie-o de novo do @BotFather)."
    ]
    assert "Traceback" not in saida


async def test_an_unreachable_bot_api_is_retried_then_one_line(database_url: str) -> None:
    porta = _porta_fechada()
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{porta}/bot",
        "DATABASE_URL": database_url,
    }

    codigo, saida = await cogep_run(env)

    assert codigo == 2, saida
    assert "Traceback" not in saida and TOKEN not in saida
    [linha] = _linhas_de_erro(saida)
    assert f"Não consegui falar com a Bot API do Telegram em http://127.0.0.1:{porta}" in linha
    assert "retrying" in saida  # it was retried before giving up


async def test_a_bot_api_answering_5xx_is_one_line(tg: FakeTelegram, database_url: str) -> None:
    tg.fail_next("getMe", error_code=502, description="Bad Gateway", times=1000)

    codigo, saida = await cogep_run(_env(tg, database_url))

    assert codigo == 2, saida
    assert "Traceback" not in saida and tg.token not in saida
    assert "Não consegui falar com a Bot API" in _linhas_de_erro(saida)[0]
    assert len(tg.calls_to("getMe")) >= 2


async def test_an_unreachable_database_is_one_line_without_the_password(
    tg: FakeTelegram,
) -> None:
    url = f"postgresql://cogep:senha-secreta@127.0.0.1:{_porta_fechada()}/cogep"

    codigo, saida = await cogep_run(_env(tg, url))

    assert codigo == 2, saida
    assert "senha-secreta" not in saida and tg.token not in saida and "Traceback" not in saida
    [linha] = _linhas_de_erro(saida)
    assert "Banco de dados inacessível" in linha


async def test_a_schema_behind_the_code_is_one_line(
    tg: FakeTelegram, empty_engine: AsyncEngine
) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)

    codigo, saida = await cogep_run(_env(tg, url))

    assert codigo == 2, saida
    assert _linhas_de_erro(saida) == [
        "cogep: O esquema do banco está desatualizado. Rode `cogep migrate` "
        "(ou `cogep run --migrate`)."
    ]
    assert "Traceback" not in saida


async def test_a_failed_set_my_commands_does_not_stop_the_bot_and_is_retried(
    tg: FakeTelegram, database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.app.COMANDOS_ESPERAS", (0.2, 0.2))
    tg.fail_next("setMyCommands", error_code=500, description="Internal Server Error")
    app: CogepApplication = build_application(make_settings(tg, database_url), database=database)

    async with serving(app, poll_timeout=1):
        reply = await Pessoa(tg, 701, "Ana").diz("/start")
        await tg.wait_for(lambda: any(c.error is None for c in tg.calls_to("setMyCommands")))

    assert "Boas-vindas" in reply["text"]
    assert [c.error is None for c in tg.calls_to("setMyCommands")] == [False, True]
