"""What `cogep run` writes to its logs: never what users and the model said, even at DEBUG."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.database import Database
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_cli import ROOT

QUESTION = "Pergunta-marcador-7f3a: como versiono a API?"
ANSWER = "Resposta-marcador-9c1e: versione quando o contrato quebra."


async def _debug_run_logs(tg: FakeTelegram, ai: FakeOpenAI, database_url: str, **extra: str) -> str:
    """Run `cogep run` at LOG_LEVEL=DEBUG while a user asks the mentor; return its stderr."""
    ai.roteiro.append(Resposta(texto=ANSWER))
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": ai.base_url,
        "OPENAI_MODEL": ai.modelo,
        "LOG_LEVEL": "DEBUG",
        **extra,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        ana = Pessoa(tg, 621, "Ana")
        await ana.diz("/start", timeout=30)
        ana.envia(QUESTION)
        await tg.wait_for(
            lambda: any(ANSWER in m.get("text", "") for m in tg.chat_messages(621)), timeout=30
        )
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_debug_logs_keep_no_message_text(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with FakeOpenAI() as ai:
        logs = await _debug_run_logs(tg, ai, database_url)

    assert '"level": "DEBUG"' in logs  # the run did log at DEBUG (JSON lines: not a terminal)
    assert "marcador" not in logs  # neither the user's question nor the model's answer


async def test_cogep_log_textos_lets_the_libraries_log_bodies(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with FakeOpenAI() as ai:
        logs = await _debug_run_logs(tg, ai, database_url, COGEP_LOG_TEXTOS="true")

    assert "Pergunta-marcador-7f3a" in logs  # the filter above is what hides it
