"""The background-task registry: the bot starts its loops in order, stops them in reverse, and
never hangs on one that will not stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from bot.app import build_application, serving
from bot.database import Database
from bot.tarefas import Tarefas
from tests.conftest import ADMIN_ID, make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_notificacoes import pessoas
from tests.test_notificacoes_aviso import anuncios
from tests.test_processos import registrar


async def test_tasks_start_in_order_and_stop_in_reverse() -> None:
    passos: list[str] = []
    tarefas = Tarefas(prazo=5)

    def laco(nome: str) -> Callable[[], Coroutine[Any, Any, None]]:
        async def rodar() -> None:
            passos.append(f"+{nome}")
            try:
                await asyncio.Event().wait()
            finally:
                passos.append(f"-{nome}")

        return rodar

    async def abrir() -> None:
        passos.append("+banco")

    async def fechar() -> None:
        passos.append("-banco")

    tarefas.componente("banco", iniciar=abrir, parar=fechar)
    tarefas.laco("envio", laco("envio"))
    tarefas.laco("ingestao", laco("ingestao"))

    await tarefas.iniciar()
    await asyncio.sleep(0.01)
    assert tarefas.estados() == {"banco": "rodando", "envio": "rodando", "ingestao": "rodando"}
    await tarefas.parar()

    assert passos == ["+banco", "+envio", "+ingestao", "-ingestao", "-envio", "-banco"]
    assert set(tarefas.estados().values()) == {"parada"}


async def test_a_stuck_task_is_cancelled_within_the_timeout_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fechado: list[str] = []
    tarefas = Tarefas(prazo=0.3)

    async def fechar_banco() -> None:
        fechado.append("banco")

    async def parar_preso() -> None:
        await asyncio.Event().wait()  # never returns

    solto = asyncio.Event()

    async def ignora_cancelamento() -> None:
        while not solto.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.05)

    tarefas.componente("banco", parar=fechar_banco)
    tarefas.componente("mentor", parar=parar_preso)
    tarefas.laco("teimoso", ignora_cancelamento)
    await tarefas.iniciar()
    await asyncio.sleep(0.01)  # the loop is inside its sleep, where it swallows the cancel

    inicio = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cogep.tarefas"):
        await tarefas.parar()

    assert time.monotonic() - inicio < 3.0
    avisos = [r.getMessage() for r in caplog.records]
    assert any("teimoso did not stop" in a for a in avisos), avisos
    assert any("mentor did not stop" in a for a in avisos), avisos
    assert fechado == ["banco"]  # the one registered first still got its turn
    solto.set()  # let the stubborn loop end, so the test leaves nothing running
    await asyncio.sleep(0.1)


async def test_a_crashed_task_shows_as_dead_with_its_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tarefas = Tarefas(prazo=1)

    async def quebra() -> None:
        raise RuntimeError("bug no laço")

    async def dorme() -> None:
        await asyncio.Event().wait()

    tarefas.laco("notificacoes-envio", quebra)
    tarefas.laco("ingestao", dorme)
    with caplog.at_level(logging.ERROR, logger="cogep.tarefas"):
        await tarefas.iniciar()
        await asyncio.sleep(0.01)

    assert tarefas.estados() == {"notificacoes-envio": "morta", "ingestao": "rodando"}
    assert not tarefas.vivas()
    [registro] = caplog.records
    assert "notificacoes-envio died" in registro.getMessage()
    assert registro.exc_info is not None and "bug no laço" in str(registro.exc_info[1])
    await tarefas.parar()


async def test_a_component_that_stopped_by_itself_is_dead() -> None:
    rodando = [True]
    tarefas = Tarefas(prazo=1)

    async def parar() -> None:
        rodando[0] = False

    tarefas.componente("ingestao", parar=parar, vivo=lambda: rodando[0])
    await tarefas.iniciar()
    assert tarefas.vivas()

    rodando[0] = False
    assert tarefas.estados() == {"ingestao": "morta"}
    await tarefas.parar()


async def test_a_failed_start_stops_what_already_started() -> None:
    parados: list[str] = []
    tarefas = Tarefas(prazo=1)

    async def parar_banco() -> None:
        parados.append("banco")

    async def falha() -> None:
        raise OSError("sem rede")

    async def nada() -> None:
        parados.append("nunca")

    tarefas.componente("banco", parar=parar_banco)
    tarefas.componente("comandos", iniciar=falha, parar=nada)

    with pytest.raises(OSError, match="sem rede"):
        await tarefas.iniciar()
    assert parados == ["banco"]


async def test_short_lived_tasks_are_cancelled_at_stop(caplog: pytest.LogCaptureFixture) -> None:
    tarefas = Tarefas(prazo=1)
    await tarefas.iniciar()
    longa = tarefas.criar("aviso-7", asyncio.Event().wait())

    async def falha() -> None:
        raise ValueError("quebrou")

    with caplog.at_level(logging.ERROR, logger="cogep.tarefas"):
        await asyncio.wait([tarefas.criar("aviso-8", falha())])
    assert "aviso-8 failed" in caplog.records[0].getMessage()

    await tarefas.parar()
    assert longa.cancelled()


def test_a_name_is_registered_once() -> None:
    tarefas = Tarefas()

    async def nada() -> None:
        return None

    tarefas.componente("banco", parar=nada)
    with pytest.raises(ValueError, match="banco"):
        tarefas.componente("banco", parar=nada)


async def test_the_bot_runs_its_tasks_and_stops_within_the_timeout_naming_a_stuck_one(
    tg: FakeTelegram, database: Database, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_application(
        make_settings(tg, database_url, shutdown_timeout=0.5), database=database
    )
    solto = asyncio.Event()

    async def preso() -> None:  # a loop that swallows its cancellation
        while not solto.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.05)

    app.bot_data.tarefas.laco("preso", preso)
    async with serving(app, poll_timeout=1):
        reply = await Pessoa(tg, 141, "Ana").diz("/start")
        await tg.wait_for_call("setMyCommands")
        estados = app.bot_data.tarefas.estados()
        inicio = time.monotonic()
        caplog.set_level(logging.WARNING, logger="cogep.tarefas")

    assert time.monotonic() - inicio < 5.0
    assert "Boas-vindas" in reply["text"]
    assert list(estados) == [
        "entrada", "entrada-orfas", "mentor", "mentor-vigia", "ingestao", "notificacoes-envio",
        "notificacoes-rodada", "comandos", "preso",
    ]  # fmt: skip
    assert app.bot_data.tarefas.vivas() and estados["notificacoes-envio"] == "rodando"
    assert any("preso did not stop" in r.getMessage() for r in caplog.records)
    assert set(app.bot_data.tarefas.estados().values()) == {"parada"}
    solto.set()
    await asyncio.sleep(0.1)


async def test_stopping_the_bot_mid_announcement_does_not_wait_for_it_to_finish(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    app = build_application(make_settings(tg, database_url), database=database)
    async with serving(app, poll_timeout=1):
        admin = await registrar(tg, ADMIN_ID, "Ada")
        await pessoas(tg, database, 600)  # twenty seconds at 30 a second
        previa = await admin.diz("/aviso Teste de parada")
        await admin.toca(previa, "Enviar")
        await tg.wait_for(lambda: len(anuncios(tg)) >= 10 or None, timeout=5)
        inicio = time.monotonic()

    assert time.monotonic() - inicio < 5.0  # /sair and SIGTERM hung until the last send
    enviados = len(anuncios(tg))
    assert enviados < 600
    await asyncio.sleep(0.5)
    assert len(anuncios(tg)) == enviados  # nothing goes out once stopped
