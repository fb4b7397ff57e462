"""Composition root: settings + database + services + handlers = one PTB Application.

`build_application` is used by `cogep run`, by `cogep console` (with an in-process request
object instead of HTTP) and by the tests (pointed at the fake Bot API). When no `Database` is
handed in, `post_init` opens one (embedded when DATABASE_URL is unset) and refuses to start on an
outdated schema unless asked to migrate. Everything that runs in the background is a named
entry of one `bot.tarefas.Tarefas` registry, listed in start order by `_tarefas`; post_init
starts them, post_stop stops them in reverse within COGEP_SHUTDOWN_TIMEOUT (post_shutdown
too, for a start-up that failed before the bot ran).

The process's web server (`bot.web`: webhook, /healthz, /readyz, /metrics, the board) is built
with the services, when WEBHOOK_URL or COGEP_WEB_PORT is set, and lives in `serving`: it starts
after the bot (so replayed updates come before new pushes) and stops first. `rodar` is
`cogep run`: `serving` until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, MenuButtonWebApp, Update, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest, RequestData

import handlers
from bot import metricas, migrations, quadro, texts
from bot.database import Database, open_database
from bot.desligamento import AplicacaoCogep
from bot.entrada.caixa import CaixaDeEntrada
from bot.entrada.efeito import SessoesComEntrada
from bot.entrada.porta import (
    BotComEntrada,
    FilaDeEntrada,
    Porta,
    endereco_publico,
    tipo_do_update,
)
from bot.enxurrada import Enxurrada
from bot.errors import ConfigError
from bot.notificacoes.ritmo import Ritmo
from bot.ordering import PerChatUpdateProcessor, avisar_enxurrada
from bot.saida import transporte
from bot.saida.ritmo import Limitador
from bot.services import Services
from bot.settings import Settings
from bot.tarefas import Tarefas
from bot.web import Montagem, RotaWebhook, Saude, ServidorWeb
from handlers import aviso
from handlers import mentor as mentor_handlers
from handlers.context import AppState, CogepApplication, CogepContext
from handlers.documentos import TelegramBaixador
from handlers.teclados import BOTOES_DE_AVISO, pedido_de_acesso

__all__ = ["CogepApplication", "OutdatedSchema", "build_application", "rodar", "serving"]
log = logging.getLogger("cogep.app")

COMANDOS_ESPERAS = (5.0, 30.0, 120.0, 600.0)  # setMyCommands retries, seconds apart
ORFAS_A_CADA = 30.0  # seconds between looks for updates a dead replica left unfinished
CONSOLE_TOKEN = "1:console"
# Near the database pool's size (20 + 10 overflow): beyond it updates would only wait for a
# connection (and time out after 10 s) instead of waiting, harmlessly, in PTB's update queue.
MAX_CONCURRENT_UPDATES = 32  # the console never talks to Telegram; PTB still wants a token


class OutdatedSchema(ConfigError):
    """The database is behind the code's migrations."""


@dataclass(frozen=True)
class _Raiz:
    """What only the composition root holds, handed to post_init (handlers never see it)."""

    settings: Settings
    porta: Porta
    migrate: bool
    banco_entregue: bool  # a Database was handed in: its owner closes it


def build_application(
    settings: Settings,
    *,
    database: Database | None = None,
    migrate: bool = False,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    ritmo: Ritmo | None = None,
) -> CogepApplication:
    """Build the bot; pass `request` objects to talk to something other than Telegram, and a
    `ritmo` to pace its sends otherwise than the settings say (the console, benchmarks)."""
    token = settings.telegram_bot_token
    if token is None and request is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN não definido. Crie um bot com o @BotFather e defina a variável, "
            "ou experimente sem Telegram com `cogep console`."
        )
    porta = Porta()
    fila = FilaDeEntrada(porta)
    bot = BotComEntrada(
        token.get_secret_value() if token else CONSOLE_TOKEN,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        request=PedidoMedido(request or HTTPXRequest(connection_pool_size=256)),
        # On stop, PTB confirms the last offset with one more getUpdates while the cancelled long
        # poll may still hold the only connection; without a second one the confirmation times
        # out and the last updates are delivered again after a restart.
        get_updates_request=PedidoMedido(
            updates_request or request or HTTPXRequest(connection_pool_size=2)
        ),
        # Every send of the process, replies and notices alike, paced under Telegram's limits
        # (a 429 pauses that chat alone); bot.saida.envio then decides what a 429 means.
        rate_limiter=Limitador(ritmo or _ritmo(settings)),
        porta=porta,
        paciencia=settings.telegram_patience,
        endereco=endereco_publico(settings.telegram_api_base_url),
    )
    builder = (
        ApplicationBuilder()
        .application_class(AplicacaoCogep)
        .bot(bot)
        .update_queue(fila)
        .context_types(ContextTypes(context=CogepContext, bot_data=AppState))
        .concurrent_updates(
            PerChatUpdateProcessor(
                MAX_CONCURRENT_UPDATES,
                envolver=functools.partial(_medido, porta),
                enxurrada=Enxurrada(
                    por_segundo=settings.flood_por_segundo, rajada=settings.flood_rajada
                ),
                avisar=avisar_enxurrada(bot),
            )
        )
    )
    raiz = _Raiz(settings, porta, migrate=migrate, banco_entregue=database is not None)
    builder.post_init(functools.partial(_post_init, raiz=raiz))
    builder.post_stop(_parar_tarefas)  # before the bot's HTTP client closes
    builder.post_shutdown(_parar_tarefas)  # when start-up failed after post_init: no post_stop
    app: CogepApplication = builder.build()
    fila.bot = app.bot
    app.bot_data.tarefas = Tarefas(prazo=settings.shutdown_timeout)
    if database is not None:
        _ligar(app, raiz, database)
    handlers.register(app)
    return app


def _ritmo(settings: Settings) -> Ritmo:
    if settings.ritmo_por_chat:
        return Ritmo(por_segundo=settings.notificacoes_por_segundo)
    return Ritmo(por_segundo=settings.notificacoes_por_segundo, privado=0.0, grupo=0.0)


class PedidoMedido(BaseRequest):
    """The bot's HTTP client, counting each Bot API call by method and status (bot.metricas)."""

    def __init__(self, interno: BaseRequest) -> None:
        self._interno = interno

    @property
    def read_timeout(self) -> float | None:
        """The wrapped client's."""
        return self._interno.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped client."""
        await self._interno.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped client."""
        await self._interno.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call, counted by its HTTP status (0 when it never got one)."""
        status = 0
        try:
            status, corpo = await self._interno.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        finally:
            metricas.chamada_bot_api(url, method, status)
        return status, corpo


@asynccontextmanager
async def _medido(porta: Porta, update: object) -> AsyncIterator[None]:
    """Around one update's handlers: its metrics, then the inbox's exactly-once context."""
    with metricas.medindo_update(tipo_do_update(update)):
        async with porta.tratando(update):
            yield


def _ligar(app: CogepApplication, raiz: _Raiz, database: Database) -> None:
    """Services and inbox on `database` (the services' transactions resolve a lost COMMIT),
    the background tasks that work on them, and the web server that shows how they do."""
    services = Services.build(
        raiz.settings,
        SessoesComEntrada(database.engine),
        botoes_de_pedido=pedido_de_acesso,
        botoes_de_aviso=BOTOES_DE_AVISO,
    )
    services.conhecimento.usar_baixador(TelegramBaixador(app.bot))
    app.bot_data.services = services
    # A reply Telegram keeps refusing (429) waits in the outbox, the one send-later queue.
    raiz.porta.ligar(CaixaDeEntrada(database.sessions), services.notificacoes.caixa)
    _tarefas(app, raiz)
    app.bot_data.web = _servidor_web(app, raiz.settings, database)


def _servidor_web(
    app: CogepApplication, settings: Settings, database: Database
) -> ServidorWeb | None:
    """The web server: on the webhook's address in webhook mode, on COGEP_WEB_PORT when set in
    polling mode, none otherwise; the board (bot.quadro) mounted at /app/ when there is a token
    to check its initData with."""
    pool = database.engine.pool
    metricas.medir_conexoes(lambda: int(getattr(pool, "checkedout", lambda: 0)()))
    saude = Saude(
        esquema_atual=functools.partial(migrations.is_current, database.engine),
        tarefas=app.bot_data.tarefas,
        medir=functools.partial(metricas.medir_filas, database.sessions),
    )
    montagens: list[Montagem] = []
    if settings.telegram_bot_token is not None:
        estado = quadro.Estado(
            services=app.bot_data.services, token=settings.telegram_bot_token.get_secret_value()
        )
        montagens.append(functools.partial(quadro.montar, estado=estado))
    webhook = settings.webhook()
    if webhook is not None:
        rota = RotaWebhook(
            webhook.url, webhook.path, webhook.secret, functools.partial(_entregar, app)
        )
        return ServidorWeb(
            webhook.listen,
            webhook.port,
            variavel="WEBHOOK_PORT",
            saude=saude,
            webhook=rota,
            montagens=montagens,
        )
    if settings.web_port is None:
        return None
    return ServidorWeb(
        settings.web_listen,
        settings.web_port,
        variavel="COGEP_WEB_PORT",
        saude=saude,
        montagens=montagens,
    )


async def _entregar(app: CogepApplication, dados: dict[str, Any]) -> None:
    """A pushed update into the queue (its door stores it in the inbox first)."""
    await app.update_queue.put(Update.de_json(dados, app.bot))


def _tarefas(app: CogepApplication, raiz: _Raiz) -> None:
    """Every background task, in start order (they stop in reverse)."""
    tarefas, services = app.bot_data.tarefas, app.bot_data.services
    tarefas.componente(
        "entrada",
        iniciar=functools.partial(_abrir_entrada, raiz.porta),
        parar=functools.partial(_fechar_entrada, raiz.porta),
    )
    # Updates a replica that died was handling are taken over by a live one.
    tarefas.laco("entrada-orfas", functools.partial(_recolher_orfas, app, raiz.porta))
    tarefas.componente("mentor", parar=services.mentor.fechar)
    # Mentor questions a crash cut off get 🔁; this process's own keep their heartbeat.
    tarefas.laco("mentor-vigia", functools.partial(mentor_handlers.vigiar, app))
    tarefas.componente(
        "ingestao", iniciar=services.conhecimento.iniciar, parar=services.conhecimento.parar
    )
    entregador = services.notificacoes.entregador(transporte.TelegramTransporte(app.bot))
    tarefas.laco("notificacoes-envio", entregador.rodar)
    tarefas.componente(
        "notificacoes-rodada",
        iniciar=functools.partial(
            transporte.agendar,
            app,
            services,
            ao_liderar=aviso.retomar,
            intervalo=raiz.settings.notificacoes_rodada,
        ),
        parar=services.notificacoes.lider.largar,
    )
    tarefas.laco("comandos", functools.partial(_publicar_comandos, app.bot))
    if raiz.settings.quadro_url is not None:  # the menu button opens the board (bot.quadro)
        tarefas.laco("menu-quadro", functools.partial(_publicar_quadro, app.bot, raiz.settings))


async def _abrir_entrada(porta: Porta) -> None:
    """Hold this process's presence before any update is admitted (bot.entrada.presenca)."""
    if porta.caixa is not None:
        await porta.caixa.presenca.abrir()


async def _recolher_orfas(app: CogepApplication, porta: Porta) -> None:
    """Every ORFAS_A_CADA: keep the presence, replay what a dead replica left unfinished."""
    while True:
        await asyncio.sleep(ORFAS_A_CADA)
        try:
            if porta.caixa is not None:
                await porta.caixa.presenca.garantir()
            await porta.reprocessar(app.bot, app.update_queue)
        except Exception as exc:  # the database is down: next round
            log.warning("could not look for updates a dead replica left: %s", exc)


async def _fechar_entrada(porta: Porta) -> None:
    """Write the inbox's last marks of done."""
    if porta.caixa is not None:
        await porta.caixa.fechar()


async def _post_init(app: CogepApplication, *, raiz: _Raiz) -> None:
    """Open the database if nobody handed one in, start the background tasks, replay the
    updates a previous run left unfinished."""
    settings = raiz.settings
    tarefas = app.bot_data.tarefas
    if not raiz.banco_entregue:  # open our own, closed last
        database = await open_database(settings)
        await _ensure_schema(database, migrate=raiz.migrate)
        tarefas.componente("banco", parar=database.close)
        _ligar(app, raiz, database)
    await tarefas.iniciar()
    await raiz.porta.reprocessar(app.bot, app.update_queue)  # before any new update is fetched
    if not settings.aprovacao:
        log.warning(
            "anyone who finds @%s can register and see the team's processos and contacts "
            "(%s); set ADMIN_TELEGRAM_IDS so newcomers wait for an admin",
            app.bot.username,
            "COGEP_CADASTRO_ABERTO is set" if settings.cadastro_aberto else "no admin configured",
        )
    log.info("Cogep is up as @%s", app.bot.username)


async def _ensure_schema(database: Database, *, migrate: bool) -> None:
    if await migrations.is_current(database.engine):
        return
    if not migrate:
        await database.close()
        raise OutdatedSchema(
            "O esquema do banco está desatualizado. Rode `cogep migrate` "
            "(ou `cogep run --migrate`)."
        )
    log.info("migrating the database to %s", migrations.head_revision())
    await migrations.upgrade(database.engine)


async def _publicar_comandos(bot: BotComEntrada) -> None:
    """setMyCommands; when Telegram refuses, the bot runs anyway and this tries again later."""
    comandos = [BotCommand(nome, descricao) for nome, descricao in handlers.COMANDOS.publicados()]
    for espera in (*COMANDOS_ESPERAS, None):
        try:
            await bot.set_my_commands(comandos)
            return
        except TelegramError as exc:
            if espera is None:
                log.error("could not publish the command list (%s); giving up", exc.message)
                return
            log.warning(
                "could not publish the command list (%s); trying again in %.0f s",
                exc.message,
                espera,
            )
        await asyncio.sleep(espera)


async def _publicar_quadro(bot: BotComEntrada, settings: Settings) -> None:
    """The chat's menu button becomes "Quadro", opening the board at COGEP_PUBLIC_URL."""
    assert settings.quadro_url is not None
    botao = MenuButtonWebApp(texts.MENU_QUADRO, WebAppInfo(settings.quadro_url))
    try:
        await bot.set_chat_menu_button(menu_button=botao)
    except TelegramError as exc:  # the chat works without it; /processos still offers 🗂
        log.warning("could not set the menu button to the board (%s)", exc.message)


async def _parar_tarefas(app: CogepApplication) -> None:
    """Stop every background task, in reverse order, within the shutdown timeout (once)."""
    await app.bot_data.tarefas.parar()


class serving:
    """Run `app` for the duration of a block: initialize, post_init, start, then take updates
    (the web server's webhook in webhook mode, getUpdates otherwise) and serve the web routes.

    On the way out the intake stops first (web server, then polling), then the bot finishes
    what it holds, then post_stop and shutdown; a start-up that fails half-way undoes the
    half that ran. `cogep run` (`rodar`), the console, the tests and the benchmarks all run the
    app through this.
    """

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: float = 10.0
    ) -> None:
        self._app = app
        self._poll_timeout = poll_timeout

    async def __aenter__(self) -> CogepApplication:
        app = self._app
        try:
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            await self._receber(app)
        except BaseException:
            await self.__aexit__()
            raise
        return app

    async def _receber(self, app: CogepApplication) -> None:
        """Start taking updates, and the web server."""
        web = _web(app)
        if web is not None:
            await web.iniciar()
        if web is not None and web.webhook is not None:
            webhook = web.webhook
            await app.bot.set_webhook(
                webhook.url, secret_token=webhook.segredo, drop_pending_updates=False
            )
            return
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=int(self._poll_timeout),
            drop_pending_updates=False,
            error_callback=self._polling_error,  # as run_polling does: to the error handler
        )

    def _polling_error(self, error: TelegramError) -> None:
        self._app.create_task(self._app.process_error(error=error, update=None))

    async def __aexit__(self, *exc: object) -> None:
        app = self._app
        web = _web(app)
        if web is not None:
            await web.parar()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def _web(app: Application[Any, Any, Any, Any, Any, Any]) -> ServidorWeb | None:
    """The app's web server; a plain PTB app (the benchmarks' bare bot) has none."""
    web: ServidorWeb | None = getattr(app.bot_data, "web", None)
    return web


async def rodar(app: CogepApplication) -> None:
    """`cogep run`: serve until SIGINT or SIGTERM, then stop gracefully."""
    parar = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sinal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sinal, parar.set)
    async with serving(app):
        await parar.wait()
    log.info("stopped")
