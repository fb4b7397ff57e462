"""Composition root: settings + database + services + handlers = one PTB Application.

`build_application` is used by `cogep run`, by `cogep console` (with an in-process request
object instead of HTTP) and by the tests (pointed at the fake Bot API). When no `Database` is
handed in, `post_init` opens one (embedded when DATABASE_URL is unset) and refuses to start on an
outdated schema unless asked to migrate; `post_shutdown` closes what post_init opened.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot import migrations, texts
from bot.database import Database, open_database
from bot.entrada.caixa import CaixaDeEntrada
from bot.entrada.efeito import SessoesComEntrada
from bot.entrada.porta import BotComEntrada, FilaDeEntrada, Porta, endereco_publico
from bot.errors import ConfigError
from bot.notificacoes.ritmo import Ritmo
from bot.ordering import Interrupcao, PerChatUpdateProcessor
from bot.saida import transporte
from bot.saida.ritmo import Limitador
from bot.services import Services
from bot.settings import Settings
from handlers import aviso
from handlers import mentor as mentor_handlers
from handlers.context import SERVICES_KEY, CogepContext
from handlers.documentos import TelegramBaixador
from handlers.keyboards import BOTOES_DE_AVISO, pedido_de_acesso

log = logging.getLogger("cogep.app")

CogepApplication = Application[Any, CogepContext, Any, Any, Any, Any]
DATABASE_KEY = "database"
PORTA_KEY = "porta"
COMANDOS_KEY = "publicar_comandos"
VIGIA_MENTOR_KEY = "vigia_do_mentor"
COMANDOS_ESPERAS = (5.0, 30.0, 120.0, 600.0)  # setMyCommands retries, seconds apart
CONSOLE_TOKEN = "1:console"
# Near the database pool's size (20 + 10 overflow): beyond it updates would only wait for a
# connection (and time out after 10 s) instead of waiting, harmlessly, in PTB's update queue.
MAX_CONCURRENT_UPDATES = 32  # the console never talks to Telegram; PTB still wants a token


# Updates that only stop or cancel skip their user's queue; a stop button adds its prefix here.
PARADAS = Interrupcao(prefixos_de_botao=frozenset())


class OutdatedSchema(ConfigError):
    """The database is behind the code's migrations."""


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
    `ritmo` to pace its sends otherwise than the settings say (benchmarks)."""
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
        request=request or HTTPXRequest(connection_pool_size=256),
        # On stop, PTB confirms the last offset with one more getUpdates while the cancelled long
        # poll may still hold the only connection; without a second one the confirmation times
        # out and the last updates are delivered again after a restart.
        get_updates_request=updates_request or request or HTTPXRequest(connection_pool_size=2),
        # Every send of the process, replies and notices alike, paced under Telegram's limits
        # (a 429 pauses that chat alone); bot.saida.envio then decides what a 429 means.
        rate_limiter=Limitador(ritmo or _ritmo(settings)),
        porta=porta,
        paciencia=settings.telegram_patience,
        endereco=endereco_publico(settings.telegram_api_base_url),
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(fila)
        .context_types(ContextTypes(context=CogepContext))
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES, envolver=porta.tratando))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app: CogepApplication = builder.build()
    fila.bot = app.bot
    app.bot_data["settings"] = settings
    app.bot_data["migrate"] = migrate
    app.bot_data[PORTA_KEY] = porta
    if database is not None:
        _ligar(app, settings, database)
    handlers.register(app)
    return app


def _ritmo(settings: Settings) -> Ritmo:
    if settings.ritmo_por_chat:
        return Ritmo(por_segundo=settings.notificacoes_por_segundo)
    return Ritmo(por_segundo=settings.notificacoes_por_segundo, privado=0.0, grupo=0.0)


def _ligar(app: CogepApplication, settings: Settings, database: Database) -> None:
    """Services and inbox on `database`: the services' transactions resolve a lost COMMIT."""
    services = Services.build(
        settings,
        SessoesComEntrada(database.engine),
        botoes_de_pedido=pedido_de_acesso,
        botoes_de_aviso=BOTOES_DE_AVISO,
    )
    services.conhecimento.usar_baixador(TelegramBaixador(app.bot))
    app.bot_data[SERVICES_KEY] = services
    porta: Porta = app.bot_data[PORTA_KEY]
    porta.ligar(CaixaDeEntrada(database.sessions), services.notificacoes.caixa)


async def _post_init(app: CogepApplication) -> None:
    """Open the database if nobody handed one in, then publish the command list."""
    settings: Settings = app.bot_data["settings"]
    if SERVICES_KEY not in app.bot_data:
        database = await open_database(settings)
        app.bot_data[DATABASE_KEY] = database
        await _ensure_schema(database, migrate=app.bot_data["migrate"])
        _ligar(app, settings, database)
    services: Services = app.bot_data[SERVICES_KEY]
    transporte.iniciar(app, services, ao_liderar=aviso.retomar)
    await services.conhecimento.iniciar()  # background ingestion, resuming unfinished documents
    # Mentor questions a crash cut off get 🔁; this process's own keep their heartbeat.
    app.bot_data[VIGIA_MENTOR_KEY] = asyncio.create_task(
        mentor_handlers.vigiar(app), name="vigia do mentor"
    )
    porta: Porta = app.bot_data[PORTA_KEY]
    await porta.reprocessar(app.bot, app.update_queue)  # before any new update is fetched
    await _publicar_comandos(app)
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


async def _publicar_comandos(
    app: CogepApplication, esperas: tuple[float, ...] | None = None
) -> None:
    """setMyCommands; when Telegram refuses, the bot starts anyway and tries again later."""
    esperas = COMANDOS_ESPERAS if esperas is None else esperas
    commands = [BotCommand(name, description) for name, description in texts.COMMANDS]
    try:
        await app.bot.set_my_commands(commands)
        return
    except TelegramError as exc:
        if not esperas:
            log.error("could not publish the command list (%s); giving up", exc.message)
            return
        log.warning(
            "could not publish the command list (%s); trying again in %.0f s",
            exc.message,
            esperas[0],
        )
    # Not app.create_task: this may run before the application is running.
    app.bot_data[COMANDOS_KEY] = asyncio.create_task(_depois(app, esperas))


async def _depois(app: CogepApplication, esperas: tuple[float, ...]) -> None:
    await asyncio.sleep(esperas[0])
    await _publicar_comandos(app, esperas[1:])


async def _post_shutdown(app: CogepApplication) -> None:
    """Stop the background work (ingestion, the mentor's HTTP pool, announcement reporters, the
    outbox sender), write the inbox's last marks of done, close the database."""
    for chave in (COMANDOS_KEY, VIGIA_MENTOR_KEY):
        tarefa: asyncio.Task[None] | None = app.bot_data.pop(chave, None)
        if tarefa is not None:
            tarefa.cancel()
    services: Services | None = app.bot_data.get(SERVICES_KEY)
    if services is not None:
        await services.conhecimento.parar()
        await services.mentor.fechar()
    await aviso.parar_acompanhamentos(app)
    await transporte.parar(app, services)
    porta: Porta = app.bot_data[PORTA_KEY]
    if porta.caixa is not None:
        await porta.caixa.fechar()
    database: Database | None = app.bot_data.pop(DATABASE_KEY, None)
    if database is not None:
        await database.close()


class serving:
    """Run `app` (initialize, post_init, start, poll or webhook) for the duration of a block.

    `cogep run` uses PTB's run_polling/run_webhook (they own signals and the event loop); the
    console, the tests and the benchmarks use this to run the very same app inside their loop.
    """

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        poll_timeout: float = 10.0,
        webhook: dict[str, Any] | None = None,
    ) -> None:
        self._app = app
        self._poll_timeout = poll_timeout
        self._webhook = webhook

    async def __aenter__(self) -> CogepApplication:
        app = self._app
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if self._webhook is not None:
            await app.updater.start_webhook(**self._webhook)
        else:
            await app.updater.start_polling(
                poll_interval=0.0,
                timeout=int(self._poll_timeout),
                drop_pending_updates=False,
                error_callback=self._polling_error,  # as run_polling does: to the error handler
            )
        return app

    def _polling_error(self, error: TelegramError) -> None:
        self._app.create_task(self._app.process_error(error=error, update=None))

    async def __aexit__(self, *exc: object) -> None:
        app = self._app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
