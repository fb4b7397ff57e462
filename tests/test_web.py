"""The web server as Telegram, an attacker, an orchestrator and Prometheus reach it.

One aiohttp server per process: the webhook on WEBHOOK_URL's own path (secret checked before
the body is read, bodies capped at 1 MB), `/healthz`, `/readyz` and `/metrics`; in polling mode
the same server on COGEP_WEB_PORT.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, make_url, select

from bot import metricas
from bot.app import CogepApplication, build_application, serving
from bot.conhecimento import ConhecimentoService
from bot.database import Database
from bot.errors import ConfigError
from bot.tarefas import Tarefas
from bot.web import Saude, ServidorWeb
from db.engine import create_engine, create_sessions
from db.models import Documento, Notificacao, UpdateRecebido, Usuario
from tests.conftest import make_settings, mentor_settings
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.reliability.proxy import ProxyDeCorte
from tests.test_conhecimento import Caixa, configuracao, ingerir, pessoa
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar

SEGREDO = "s3gredo_do-webhook"
JSON = dict[str, Any]


def _porta_livre() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def _no_ar(
    tg: FakeTelegram, database: Database, database_url: str, **ajustes: Any
) -> AsyncIterator[tuple[CogepApplication, str]]:
    """The bot in webhook mode on a free port (or as `ajustes` say); yields it and its address."""
    porta = _porta_livre()
    valores: dict[str, Any] = {
        "webhook_listen": "127.0.0.1",
        "webhook_port": porta,
        "webhook_url": f"http://127.0.0.1:{porta}/cogep/telegram",
        "webhook_secret": SEGREDO,
        **ajustes,
    }
    app = build_application(make_settings(tg, database_url, **valores), database=database)
    async with serving(app):
        yield app, f"http://127.0.0.1:{valores.get('web_port') or porta}"


def _start(update_id: int, user_id: int) -> JSON:
    user = {"id": user_id, "is_bot": False, "first_name": "Intruso"}
    chat = {"id": user_id, "type": "private", "first_name": "Intruso"}
    message = {"message_id": 1, "date": 1_700_000_000, "chat": chat, "from": user}
    comando = [{"type": "bot_command", "offset": 0, "length": 6}]
    return {"update_id": update_id, "message": {**message, "text": "/start", "entities": comando}}


async def _armazenados(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(UpdateRecebido)) or 0)


async def _cru(porta: int, pedido: bytes, *, espera: float = 3.0) -> tuple[bytes, bool]:
    """Send raw bytes; what came back within `espera`, and whether the server closed."""
    leitor, escritor = await asyncio.open_connection("127.0.0.1", porta)
    escritor.write(pedido)
    await escritor.drain()
    resposta = b""
    fechou = False
    try:
        async with asyncio.timeout(espera):
            while pedaco := await leitor.read(65536):
                resposta += pedaco
            fechou = True
    except TimeoutError:
        pass
    escritor.close()
    return resposta, fechou


async def _em_pedacos(porta: int, *, pedacos: int) -> bytes:
    """A body of `pedacos` x 64 KiB sent chunked (no Content-Length); the answer."""
    leitor, escritor = await asyncio.open_connection("127.0.0.1", porta)
    escritor.write(_cabecalhos("/cogep/telegram", SEGREDO, "Transfer-Encoding: chunked"))
    pedaco = b"10000\r\n" + b" " * 65536 + b"\r\n"
    try:
        for _ in range(pedacos):
            escritor.write(pedaco)
            await escritor.drain()
        escritor.write(b"0\r\n\r\n")
        await escritor.drain()
    except ConnectionError:  # refused mid-body: the answer is already on its way
        pass
    try:
        async with asyncio.timeout(3):
            resposta = await leitor.read(65536)
    except ConnectionError:
        resposta = b""
    escritor.close()
    return resposta


def _cabecalhos(caminho: str, segredo: str | None, extra: str) -> bytes:
    linhas = [f"POST {caminho} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if segredo is not None:
        linhas.append(f"X-Telegram-Bot-Api-Secret-Token: {segredo}")
    return ("\r\n".join([*linhas, extra]) + "\r\n\r\n").encode()


def _amostras(texto: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (amostra.name, frozenset(amostra.labels.items())): amostra.value
        for familia in text_string_to_metric_families(texto)
        for amostra in familia.samples
    }


async def _metricas(base: str) -> Callable[[str, dict[str, str]], float]:
    async with httpx.AsyncClient() as client:
        resposta = await client.get(f"{base}/metrics")
    assert resposta.status_code == 200
    amostras = _amostras(resposta.text)
    return lambda nome, rotulos: amostras.get((nome, frozenset(rotulos.items())), 0.0)


# -- the webhook ----------------------------------------------------------------------------


async def test_telegram_pushes_to_the_web_server_and_the_user_is_answered(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with _no_ar(tg, database, database_url) as (_, base):
        reply = await Pessoa(tg, 611, "Bia").diz("/start", timeout=10)
        async with httpx.AsyncClient() as client:
            vivo = await client.get(f"{base}/healthz")

    [registrado] = tg.calls_to("setWebhook")
    assert registrado.params["url"] == f"{base}/cogep/telegram"
    assert registrado.params["secret_token"] == SEGREDO
    assert "Boas-vindas" in reply["text"]
    assert vivo.status_code == 200  # the same server answers the probes


@pytest.mark.parametrize("segredo", [None, "segredo-errado", SEGREDO[:-1]])
async def test_a_push_without_the_right_secret_is_refused_and_nothing_is_stored(
    tg: FakeTelegram, database: Database, database_url: str, segredo: str | None
) -> None:
    headers = {} if segredo is None else {"X-Telegram-Bot-Api-Secret-Token": segredo}

    def recusados() -> float:
        return REGISTRY.get_sample_value("cogep_webhook_total", {"status": "403"}) or 0.0

    antes = recusados()
    async with _no_ar(tg, database, database_url) as (_, base), httpx.AsyncClient() as client:
        forjado = await client.post(
            f"{base}/cogep/telegram", json=_start(9001, 666), headers=headers
        )
        await asyncio.sleep(0.3)  # time enough for a handler to have answered, had it run

    assert forjado.status_code == 403
    assert recusados() == antes + 1  # counted, for whoever watches for forged pushes
    assert [c for c in tg.calls_to("sendMessage") if c.params.get("chat_id") == 666] == []
    assert await _armazenados(database) == 0  # not even stored in the inbox
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Usuario)) == 0


async def test_a_wrong_secret_is_refused_before_the_body_is_read(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with _no_ar(tg, database, database_url) as (app, _):
        assert app.bot_data.web is not None
        inicio = time.monotonic()
        # Headers announcing half a gigabyte, and no body at all: a server that read first
        # would wait for it.
        resposta, fechou = await _cru(
            app.bot_data.web.porta,
            _cabecalhos("/cogep/telegram", "errado", "Content-Length: 500000000"),
        )
        demorou = time.monotonic() - inicio

    assert resposta.startswith(b"HTTP/1.1 403")
    assert fechou  # and the connection is closed rather than drained
    assert demorou < 2.0


async def test_a_body_over_one_megabyte_is_refused(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with _no_ar(tg, database, database_url) as (app, _):
        assert app.bot_data.web is not None
        declarado, _ = await _cru(
            app.bot_data.web.porta,
            _cabecalhos("/cogep/telegram", SEGREDO, "Content-Length: 2000000"),
        )

        em_pedacos = await _em_pedacos(app.bot_data.web.porta, pedacos=40)

    assert declarado.startswith(b"HTTP/1.1 413")
    assert em_pedacos.startswith(b"HTTP/1.1 413")
    assert await _armazenados(database) == 0


async def test_a_push_that_is_not_json_gets_400_and_changes_nothing(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SEGREDO}
    async with _no_ar(tg, database, database_url) as (_, base), httpx.AsyncClient() as client:
        lixo = await client.post(f"{base}/cogep/telegram", content=b"{nada", headers=headers)
        lista = await client.post(f"{base}/cogep/telegram", json=[1, 2], headers=headers)

    assert (lixo.status_code, lista.status_code) == (400, 400)
    assert await _armazenados(database) == 0


async def _saude_fixa(atual: bool = True) -> Saude:
    async def esquema() -> bool:
        return atual

    async def medir() -> None:
        return None

    return Saude(esquema_atual=esquema, tarefas=Tarefas(), medir=medir)


async def test_a_connection_that_never_finishes_its_headers_is_closed() -> None:
    porta = _porta_livre()
    servidor = ServidorWeb(
        "127.0.0.1", porta, variavel="WEBHOOK_PORT", saude=await _saude_fixa(), espera_ociosa=0.5
    )
    await servidor.iniciar()
    try:
        inicio = time.monotonic()
        _, fechou = await _cru(porta, b"POST /cogep/telegram HTTP/1.1\r\nHost: x\r\n", espera=3)
        demorou = time.monotonic() - inicio
    finally:
        await servidor.parar()

    assert fechou and demorou < 2.0


async def test_a_web_port_in_use_is_one_line_naming_the_setting() -> None:
    with socket.socket() as ocupada:
        ocupada.bind(("127.0.0.1", 0))
        ocupada.listen()
        porta = ocupada.getsockname()[1]
        servidor = ServidorWeb(
            "127.0.0.1", porta, variavel="COGEP_WEB_PORT", saude=await _saude_fixa()
        )
        with pytest.raises(ConfigError) as erro:
            await servidor.iniciar()

    assert "COGEP_WEB_PORT" in erro.value.message and str(porta) in erro.value.message


# -- health ---------------------------------------------------------------------------------


@pytest.fixture
async def proxy(database: Database) -> AsyncIterator[ProxyDeCorte]:
    url = database.engine.url
    socket_dir, port = url.query.get("host"), int(str(url.query.get("port") or url.port or 5432))
    unix_socket = f"{socket_dir}/.s.PGSQL.{port}" if isinstance(socket_dir, str) else None
    async with ProxyDeCorte(url.host or "127.0.0.1", port, unix_socket=unix_socket) as proxy:
        yield proxy


async def test_readyz_is_ready_then_names_the_database_while_it_is_unreachable(
    tg: FakeTelegram, database: Database, database_url: str, proxy: ProxyDeCorte
) -> None:
    url = make_url(database_url).difference_update_query(["host", "port"])
    url = url.set(host="127.0.0.1", port=proxy.porta)
    engine = create_engine(url.render_as_string(hide_password=False), pool_size=5)
    pela_proxy = Database(engine=engine, sessions=create_sessions(engine))
    try:
        async with (
            _no_ar(tg, pela_proxy, database_url) as (_, base),
            httpx.AsyncClient() as client,
        ):
            pronto = await client.get(f"{base}/readyz")
            proxy.derrubar(por=2.0)
            fora = await client.get(f"{base}/readyz")
            vivo = await client.get(f"{base}/healthz")
            await asyncio.sleep(2.2)
            de_volta = await client.get(f"{base}/readyz")
    finally:
        await engine.dispose()

    assert pronto.status_code == 200 and pronto.json()["pronto"] is True
    assert fora.status_code == 503
    assert fora.json()["pronto"] is False
    assert "banco inacessível" in fora.json()["motivos"]["banco"]
    assert vivo.status_code == 200  # the process itself is fine: no reason to restart it
    assert de_volta.status_code == 200


async def test_a_push_while_the_database_is_down_gets_503_and_counts_when_delivered_again(
    tg: FakeTelegram, database: Database, database_url: str, proxy: ProxyDeCorte
) -> None:
    url = make_url(database_url).difference_update_query(["host", "port"])
    url = url.set(host="127.0.0.1", port=proxy.porta)
    engine = create_engine(url.render_as_string(hide_password=False), pool_size=5)
    pela_proxy = Database(engine=engine, sessions=create_sessions(engine))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SEGREDO}
    tg.user(671, "Intruso")  # a chat the fake Bot API knows, so the answer can reach it
    try:
        async with (
            _no_ar(tg, pela_proxy, database_url) as (_, base),
            httpx.AsyncClient() as client,
        ):
            proxy.derrubar(por=2.0)
            fora = await client.post(
                f"{base}/cogep/telegram", json=_start(9101, 671), headers=headers
            )
            await asyncio.sleep(2.2)
            de_novo = await client.post(
                f"{base}/cogep/telegram", json=_start(9101, 671), headers=headers
            )
            await tg.wait_for(
                lambda: (
                    any(
                        "Boas-vindas" in c.params.get("text", "")
                        for c in tg.calls_to("sendMessage")
                        if c.params.get("chat_id") == 671
                    )
                    or None
                ),
                timeout=10,
            )
    finally:
        await engine.dispose()

    assert fora.status_code == 503  # Telegram keeps it and delivers it again
    assert de_novo.status_code == 200
    assert await _armazenados(database) == 1


async def test_readyz_names_a_background_task_that_died(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    porta = _porta_livre()
    app = build_application(make_settings(tg, database_url, web_port=porta), database=database)
    quebrar = asyncio.Event()

    async def fragil() -> None:
        await quebrar.wait()
        raise RuntimeError("bug")

    app.bot_data.tarefas.laco("fragil", fragil)
    async with serving(app, poll_timeout=1), httpx.AsyncClient() as client:
        antes = await client.get(f"http://127.0.0.1:{porta}/readyz")
        quebrar.set()
        await asyncio.sleep(0.1)
        depois = await client.get(f"http://127.0.0.1:{porta}/readyz")

    assert antes.status_code == 200
    assert depois.status_code == 503
    assert "fragil" in depois.json()["motivos"]["tarefas"]
    assert depois.json()["tarefas"]["fragil"] == "morta"
    assert "banco" not in depois.json()["motivos"]


async def test_readyz_says_when_the_schema_is_behind() -> None:
    porta = _porta_livre()
    servidor = ServidorWeb(
        "127.0.0.1", porta, variavel="COGEP_WEB_PORT", saude=await _saude_fixa(atual=False)
    )
    await servidor.iniciar()
    try:
        async with httpx.AsyncClient() as client:
            resposta = await client.get(f"http://127.0.0.1:{porta}/readyz")
    finally:
        await servidor.parar()

    assert resposta.status_code == 503
    assert "cogep migrate" in resposta.json()["motivos"]["esquema"]


async def test_polling_mode_serves_health_and_the_board_on_cogep_web_port(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    porta = _porta_livre()
    app = build_application(make_settings(tg, database_url, web_port=porta), database=database)
    async with serving(app, poll_timeout=1), httpx.AsyncClient() as client:
        reply = await Pessoa(tg, 612, "Caio").diz("/start")
        vivo = await client.get(f"http://127.0.0.1:{porta}/healthz")
        pronto = await client.get(f"http://127.0.0.1:{porta}/readyz")
        quadro = await client.get(f"http://127.0.0.1:{porta}/app/")
        api_sem_initdata = await client.get(f"http://127.0.0.1:{porta}/app/api/eu")

    assert "Boas-vindas" in reply["text"]
    assert tg.calls_to("setWebhook") == []  # still polling
    assert quadro.status_code == 200 and "<html" in quadro.text.lower()  # the board is mounted
    assert api_sem_initdata.status_code == 401
    assert vivo.status_code == 200 and pronto.status_code == 200
    with pytest.raises(httpx.ConnectError):  # stopped with the bot
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{porta}/healthz")


# -- metrics --------------------------------------------------------------------------------


async def test_metrics_count_updates_their_latency_and_bot_api_calls_and_429s(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with _no_ar(tg, database, database_url) as (_, base):
        antes = await _metricas(base)
        ana = await registrar(tg, 613, "Ana")
        tg.fail_next(
            "sendMessage",
            error_code=429,
            description="Too Many Requests: retry after 1",
            retry_after=1,
            chat_id=ana.id,
        )
        await ana.diz("/ajuda", timeout=10)
        depois = await _metricas(base)

    def subiu(nome: str, rotulos: dict[str, str]) -> float:
        return depois(nome, rotulos) - antes(nome, rotulos)

    assert subiu("cogep_updates_total", {"tipo": "message", "resultado": "ok"}) >= 2
    assert subiu("cogep_update_segundos_count", {"tipo": "message"}) >= 2
    assert subiu("cogep_bot_api_total", {"metodo": "sendMessage", "status": "200"}) >= 2
    assert subiu("cogep_bot_api_total", {"metodo": "sendMessage", "status": "429"}) == 1
    assert subiu("cogep_bot_api_total", {"metodo": "setWebhook", "status": "200"}) == 0


async def test_metrics_count_errors_by_kind_and_the_update_as_failed(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    erros = ("cogep_erros_total", {"tipo": "Forbidden"})
    falhas = ("cogep_updates_total", {"tipo": "message", "resultado": "erro"})
    async with _no_ar(tg, database, database_url) as (_, base):
        ana = await registrar(tg, 614, "Ana")
        antes = await _metricas(base)
        tg.block(ana.id)  # the reply gets 403: the error handler sees Forbidden
        ana.envia("/ajuda")
        for _ in range(50):
            depois = await _metricas(base)
            # The error is counted by the error handler, the update's outcome just after it.
            if depois(*erros) > antes(*erros) and depois(*falhas) > antes(*falhas):
                break
            await asyncio.sleep(0.1)

    assert depois(*erros) == antes(*erros) + 1
    assert depois(*falhas) == antes(*falhas) + 1


async def test_metrics_count_model_calls_tokens_and_latency(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> None:
    porta = _porta_livre()
    settings = mentor_settings(tg, database_url, ai, web_port=porta)
    app = build_application(settings, database=database)
    base = f"http://127.0.0.1:{porta}"
    chamadas = ("cogep_modelo_total", {"operacao": "resposta", "resultado": "ok"})
    async with serving(app, poll_timeout=1):
        ana = await registrar(tg, 615, "Ana")
        antes = await _metricas(base)
        ai.roteiro.append(Resposta(texto="Comece pelo contrato da API.", entrada=120, saida=9))
        ana.envia("Por onde começo?")
        await espera_resposta(tg, ana.id, "contrato da API")
        depois = await _metricas(base)

    assert depois(*chamadas) == antes(*chamadas) + 1
    tokens = "cogep_modelo_tokens_total"
    assert depois(tokens, {"direcao": "entrada"}) - antes(tokens, {"direcao": "entrada"}) == 120
    assert depois(tokens, {"direcao": "saida"}) - antes(tokens, {"direcao": "saida"}) == 9
    latencia = ("cogep_modelo_segundos_count", {"operacao": "resposta"})
    assert depois(*latencia) == antes(*latencia) + 1


async def test_metrics_show_the_database_pool_in_use(
    tg: FakeTelegram, database: Database, database_url: str
) -> None:
    async with (
        _no_ar(tg, database, database_url) as (_, base),
        database.engine.connect(),
        database.engine.connect(),
    ):
        ocupadas = await _metricas(base)

    assert ocupadas("cogep_banco_conexoes_em_uso", {}) >= 2


async def test_the_outbox_backlog_and_ingestion_queue_are_read_at_scrape(
    database: Database,
) -> None:
    agora = datetime.now(UTC)
    async with database.sessions.begin() as session:
        dono = Usuario(telegram_id=616, nome="Ana")
        session.add(dono)
        await session.flush()
        session.add_all(
            [
                _aviso("atrasado", dono.id, agora - timedelta(seconds=90)),
                _aviso("menos-atrasado", dono.id, agora - timedelta(seconds=10)),
                _aviso("amanha", dono.id, agora + timedelta(days=1)),  # not due: not late
                _aviso("enviado", dono.id, agora - timedelta(hours=1), status="enviada"),
                Documento(titulo="a.pdf", origem="url", referencia="https://x/a.pdf"),
                Documento(titulo="b.pdf", origem="url", referencia="https://x/b", status="pronto"),
            ]
        )

    await metricas.medir_filas(database.sessions, agora=agora)

    assert REGISTRY.get_sample_value("cogep_notificacoes_pendentes") == 2
    assert REGISTRY.get_sample_value("cogep_notificacao_mais_antiga_segundos") == pytest.approx(
        90, abs=1
    )
    assert REGISTRY.get_sample_value("cogep_ingestao_fila") == 1


def _aviso(chave: str, usuario_id: int, devido: datetime, status: str = "pendente") -> Any:
    return Notificacao(
        chave=chave,
        tipo="lembrete",
        usuario_id=usuario_id,
        chat_id=616,
        texto="Oi",
        status=status,
        devido_em=devido,
    )


async def test_ingestion_outcomes_are_counted(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    servico = ConhecimentoService(database.sessions, configuracao(database_url), Caixa())
    ana = await pessoa(database, 617, "Ana")

    def contagem(resultado: str) -> float:
        return REGISTRY.get_sample_value("cogep_ingestao_total", {"resultado": resultado}) or 0.0

    antes = {r: contagem(r) for r in ("pronto", "falhou")}
    try:
        texto = "Arquitetura hexagonal separa o domínio dos adaptadores.".encode()
        await ingerir(servico, tmp_path, "notas.txt", texto, dono=ana)
        await ingerir(servico, tmp_path, "vazio.txt", b"", dono=ana)
        await ingerir(servico, tmp_path, "planilha.xlsx", b"PK\x03\x04", dono=ana)
    finally:
        await servico.parar()

    assert contagem("pronto") == antes["pronto"] + 1
    assert contagem("falhou") == antes["falhou"] + 2
