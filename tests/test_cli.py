"""The `cogep` command as a person runs it: console, migrate, and clear one-line failures."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import make_url

from bot.console import ConsoleBotApi
from bot.database import Database
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

ROOT = Path(__file__).resolve().parent.parent


def cogep(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in a clean environment (no .env, no inherited settings)."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env},
        cwd=env.get("_CWD", str(ROOT / "tests")),
        check=False,
    )


async def test_console_drives_the_real_handlers(database: Database, database_url: str) -> None:
    session = "/start\n/novo Testar o console | prioridade alta\n/processos\n/sair\n"

    result = cogep(
        "console",
        "--user-id",
        "777",
        "--name",
        "Dev",
        env={"DATABASE_URL": database_url},
        stdin=session,
    )

    assert result.returncode == 0, result.stderr
    assert "Boas-vindas ao Cogep" in result.stdout
    assert "Processo" in result.stdout and "aberto" in result.stdout
    assert "Testar o console" in result.stdout
    assert "[1]" in result.stdout  # buttons are numbered so a person can press them
    assert "Você é administrador" in result.stdout  # the person at the terminal sees it all


async def test_the_console_can_play_a_membro(database: Database, database_url: str) -> None:
    result = cogep(
        "console", "--membro", env={"DATABASE_URL": database_url}, stdin="/start\n/usuarios\n"
    )

    assert result.returncode == 0, result.stderr
    assert "Você é administrador" not in result.stdout
    assert "Só administradores" in result.stdout


def test_console_works_with_the_embedded_database(tmp_path: Path) -> None:
    env = {"COGEP_DATA_DIR": str(tmp_path / "pgdata"), "_CWD": str(tmp_path)}

    first = cogep("console", env=env, stdin="/start\n/novo Persistir dados\n/sair\n", timeout=120)
    second = cogep("console", env=env, stdin="/processos\n/sair\n", timeout=120)

    assert first.returncode == 0, first.stderr
    assert "Persistir dados" in second.stdout  # data survived the restart


def test_an_unusable_embedded_database_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "arquivo").write_text("not a folder")
    result = cogep("migrate", env={"COGEP_DATA_DIR": str(tmp_path / "arquivo" / "pgdata")})

    assert result.returncode == 2
    assert "cannot use the database directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_run_without_a_token_says_what_to_do() -> None:
    result = cogep("run", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})

    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "cogep console" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ADMIN_TELEGRAM_IDS", "12,abc"), ("WEBHOOK_PORT", "porta"), ("TIMEZONE", "Lua/Base")],
)
def test_malformed_settings_give_one_line_naming_the_variable(variable: str, value: str) -> None:
    result = cogep("migrate", env={variable: value})

    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_explained_without_leaking_the_password() -> None:
    url = "postgresql://cogep:s3cr3t-senha@127.0.0.1:1/cogep"
    result = cogep("migrate", env={"DATABASE_URL": url, "COGEP_DB_PATIENCE": "1"})

    assert result.returncode == 2
    assert "Banco de dados inacessível" in result.stderr
    assert "s3cr3t-senha" not in result.stderr + result.stdout


async def test_cogep_run_serves_telegram_and_stops_cleanly(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "DEBUG",  # the most verbose logs must still hide the token
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=str(ROOT / "tests"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        reply = await Pessoa(tg, 601, "Duda").diz("/start", timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)

    assert "Boas-vindas" in reply["text"]
    assert process.returncode == 0, stderr.decode()
    assert tg.token not in stderr.decode()  # the token is in every Bot API URL httpx logs


async def test_the_console_streams_the_mentors_answer(
    database: Database, database_url: str
) -> None:
    from tests.fake_openai import FakeOpenAI, Resposta

    async with FakeOpenAI() as ai:
        ai.roteiro.append(
            Resposta(texto="Versione só quando o contrato quebra. [fim]", pedaco=5, intervalo=0.05)
        )
        env = {
            "DATABASE_URL": database_url,
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": ai.base_url,
            "OPENAI_MODEL": ai.modelo,
        }
        result = await asyncio.to_thread(
            cogep, "console", env=env, stdin="/start\nComo versiono uma API?\n/sair\n"
        )

    assert result.returncode == 0, result.stderr
    assert "Prof. Anatoly:" in result.stdout
    assert result.stdout.count("Versione só quando o contrato quebra.") == 1  # printed as it grew
    assert "[fim]" in result.stdout
    assert ai.pedidos[0]["messages"][-1]["content"] == "Como versiono uma API?"


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("DATABASE_URL", "postgresql://cogep:senha@db:porta/cogep", "porta do servidor"),
        ("WEBHOOK_SECRET", "segredo com espaço!", "A-Z, a-z, 0-9, _ e -"),
    ],
)
def test_start_up_mistakes_are_one_line_naming_the_variable(
    variable: str, value: str, said: str
) -> None:
    result = cogep("run", env={"TELEGRAM_BOT_TOKEN": "1:x", variable: value})

    assert result.returncode == 2
    assert f"Configuração inválida em {variable}" in result.stderr and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "senha" not in result.stderr  # the password of a malformed URL is not echoed


def test_a_database_that_does_not_exist_is_named(database_url: str) -> None:
    url = make_url(database_url).set(database="cogep_nao_existe")

    result = cogep("migrate", env={"DATABASE_URL": url.render_as_string(hide_password=False)})

    assert result.returncode == 2
    assert "O banco de dados 'cogep_nao_existe' não existe" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_a_webhook_port_in_use_is_one_line_naming_it(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "DATABASE_URL": database_url,
            "WEBHOOK_URL": "https://bot.exemplo.com.br/telegram",
            "WEBHOOK_SECRET": "segredo",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        result = await asyncio.to_thread(cogep, "run", env=env)

    last_line = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2
    assert last_line.startswith(f"cogep: Não foi possível escutar em 127.0.0.1:{port}")
    assert "WEBHOOK_PORT" in last_line
    assert "Traceback" not in result.stderr


async def test_the_console_shows_only_its_own_chat_and_a_number_after_a_question_is_text() -> None:
    tela = Console(file=io.StringIO(), width=120)
    api = ConsoleBotApi(user_id=10, name="Dev", out=tela)
    teclado = {"inline_keyboard": [[{"text": "Comentar", "callback_data": "pc:1"}]]}

    await api._answer("sendMessage", {"chat_id": 10, "text": "Processo 1", "reply_markup": teclado})
    await api._answer(
        "sendMessage", {"chat_id": 99, "text": "Segredo do outro", "reply_markup": teclado}
    )
    api.type_line("1")  # the card's buttons are still the latest shown: a press
    await api._answer("sendMessage", {"chat_id": 10, "text": "Digite o comentário"})
    api.type_line("1")  # now it answers the question

    saida = tela.file.getvalue()  # type: ignore[attr-defined]
    assert "Processo 1" in saida and "Segredo do outro" not in saida
    primeiro, segundo = api.updates.get_nowait(), api.updates.get_nowait()
    assert primeiro["callback_query"]["data"] == "pc:1"
    assert segundo["message"]["text"] == "1"


async def test_the_console_membro_is_not_the_admin_of_an_earlier_run(
    database: Database, database_url: str
) -> None:
    env = {"DATABASE_URL": database_url}
    admin = cogep("console", env=env, stdin="/start\n/sair\n")
    membro = cogep("console", "--membro", env=env, stdin="/start\n/usuarios\n/sair\n")

    assert "Você é administrador" in admin.stdout
    assert "Só administradores" in membro.stdout and "Você é administrador" not in membro.stdout
