"""SIGTERM: `cogep run` stops taking updates, lets what is in flight finish within
COGEP_SHUTDOWN_TIMEOUT, and what could not finish is done after the next start. Nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from bot.database import Database
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_cli import ROOT

RESPOSTA = "Versione a API quando o contrato quebrar, e nunca antes."


async def _cogep_run(
    tg: FakeTelegram, database_url: str, ai: FakeOpenAI | None = None, **extra: str
) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "COGEP_CADASTRO_ABERTO": "true",
        **extra,
    }
    if ai is not None:
        env |= {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": ai.base_url}
        env |= {"OPENAI_MODEL": ai.modelo, "MENTOR_TIMEOUT": "60"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _terminar(process: asyncio.subprocess.Process, *, limite: float) -> tuple[float, str]:
    """SIGTERM; how long the process took to exit, and its stderr."""
    inicio = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=limite)
    return time.monotonic() - inicio, stderr.decode()


def _textos(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in tg.chat_messages(chat_id)]


async def test_an_answer_streaming_at_sigterm_is_delivered_before_the_process_exits(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with FakeOpenAI() as ai:
        ai.roteiro.append(Resposta(texto=RESPOSTA, atraso=3.0))  # a slow model
        process = await _cogep_run(tg, database_url, ai)
        ana = Pessoa(tg, 641, "Ana")
        await ana.diz("/start", timeout=30)
        ana.envia("Como versiono a API?")
        await tg.wait_for(lambda: ai.pedidos or None, timeout=10)  # the model is thinking

        demorou, stderr = await _terminar(process, limite=30)

    assert process.returncode == 0, stderr[-3000:]
    assert any(RESPOSTA in texto for texto in _textos(tg, 641))  # finished, then stopped
    assert demorou < 20  # within COGEP_SHUTDOWN_TIMEOUT


async def test_an_update_cut_off_by_the_shutdown_timeout_is_handled_after_the_restart(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    process = await _cogep_run(tg, database_url, COGEP_SHUTDOWN_TIMEOUT="2")
    ana = Pessoa(tg, 642, "Ana")
    await ana.diz("/start", timeout=30)
    antes = len(tg.chat_messages(642))
    tg.hold_chat(642)  # the reply to what comes next hangs at the Bot API
    ana.envia("/ajuda")
    await tg.wait_for(lambda: not tg._pending or None, timeout=10)  # fetched: in flight
    await asyncio.sleep(0.5)

    demorou, stderr = await _terminar(process, limite=30)
    assert process.returncode == 0, stderr[-3000:]
    assert demorou < 2 + 4  # the timeout, and a moment to close the rest
    assert len(tg.chat_messages(642)) == antes  # it was cut off
    assert "resumed at the next start" in stderr

    tg.release_chat(642)
    process = await _cogep_run(tg, database_url)
    try:
        await tg.wait_for(
            lambda: any("/novo" in t for t in _textos(tg, 642)[antes:]) or None, timeout=30
        )
    finally:
        _, stderr = await _terminar(process, limite=30)
    assert len(_textos(tg, 642)[antes:]) == 1  # /ajuda answered once: not lost, not doubled
