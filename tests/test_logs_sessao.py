"""A whole session of `cogep run`, logged at DEBUG: no secret and no user's text in any line,
and each line of an update says which update, chat and user it belongs to."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

from sqlalchemy import make_url

from bot.database import Database
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_cli import ROOT
from tests.test_processos import NUMERO

CHAVE = "sk-chave-secreta-marcador-5d21"
SENHA = "senha-secreta-marcador-8b4e"
RESPOSTA = "Resposta-marcador-a1: versione quando o contrato quebra."
DITOS = {
    "titulo": "Titulo-marcador-b2 migrar o servidor",
    "comentario": "Comentario-marcador-c3 falta o DNS",
    "lembrete": "Lembrete-marcador-d4 revisar o PR",
    "pergunta": "Pergunta-marcador-e5: como versiono a API?",
    "documento": "Documento-marcador-f6 fala de arquitetura hexagonal.",
    "busca": "marcador-g7 hexagonal",
}


def _comentavel(pessoa: Pessoa, mensagem: dict[str, Any]) -> bool:
    """Whether the message is a processo's card (it has the 💬 button)."""
    return any("Comentar" in rotulo for rotulo in pessoa.botoes(mensagem))


def _com_senha(database_url: str) -> tuple[str, str]:
    """The test database's URL carrying a password, and that password (a trusting server
    ignores it; the bot still holds it in its settings, where it must not leak from)."""
    url = make_url(database_url)
    if url.password:
        return database_url, str(url.password)
    return url.set(password=SENHA).render_as_string(hide_password=False), SENHA


async def _sessao(tg: FakeTelegram, ai: FakeOpenAI, database_url: str) -> str:
    """Run `cogep run` at DEBUG through a full session; return its stderr."""
    ai.roteiro.append(Resposta(texto=RESPOSTA))
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "OPENAI_API_KEY": CHAVE,
        "OPENAI_BASE_URL": ai.base_url,
        "OPENAI_MODEL": ai.modelo,
        "COGEP_CADASTRO_ABERTO": "true",
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        ana = Pessoa(tg, 631, "Ana")
        await ana.diz("/start", timeout=30)
        criado = await ana.diz(f"/novo {DITOS['titulo']}")
        numero = NUMERO.search(criado["text"]).group(1)  # type: ignore[union-attr]
        ana.envia(f"/processo {numero}")
        cartao = await tg.wait_for(
            lambda: next((m for m in tg.chat_messages(631) if _comentavel(ana, m)), None),
            timeout=10,
        )
        await ana.toca(cartao, "Comentar")
        await ana.diz(DITOS["comentario"])
        await ana.diz(f"/lembrar amanhã 9h {DITOS['lembrete']}")
        tg.send_document(ana.user, "notas.txt", DITOS["documento"].encode(), mime_type="text/plain")
        await ana.ve("está na base de conhecimento", timeout=30)
        await ana.diz(f"/buscar {DITOS['busca']}")
        ana.envia(DITOS["pergunta"])
        await tg.wait_for(
            lambda: any(RESPOSTA in m.get("text", "") for m in tg.chat_messages(631)), timeout=30
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return stderr.decode()


async def test_a_whole_session_logs_no_secret_and_no_users_text(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    url, senha = _com_senha(database_url)
    async with FakeOpenAI() as ai:
        logs = await _sessao(tg, ai, url)

    linhas = [json.loads(linha) for linha in logs.splitlines() if linha.strip()]
    assert any(linha["level"] == "DEBUG" for linha in linhas)  # it did log at DEBUG
    assert tg.token not in logs
    assert tg.token.split(":")[1] not in logs  # not even the token's secret half
    assert CHAVE not in logs
    assert senha not in logs
    for dito in DITOS.values():
        assert dito.split()[0] not in logs
    assert RESPOSTA.split()[0] not in logs  # nor what the model answered
    assert "marcador" not in logs


async def test_an_updates_log_lines_carry_its_update_chat_and_user_ids(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with FakeOpenAI() as ai:
        logs = await _sessao(tg, ai, database_url)

    linhas: list[dict[str, Any]] = [json.loads(li) for li in logs.splitlines() if li.strip()]
    de_updates = [li for li in linhas if "update_id" in li]
    assert de_updates, "no line was logged while an update was handled"
    assert all(li["chat_id"] == 631 and li["user_id"] == 631 for li in de_updates)
    assert {"ts", "level", "logger", "message"} <= de_updates[0].keys()
    assert any("processo" in li for li in de_updates)  # lines of a processo's card name it
