"""Composition root: settings + database + services + handlers = one PTB Application.

`build_application` is used by `cogep run`, by `cogep console` (with an in-process request
object instead of HTTP) and by the tests (pointed at the fake Bot API). When no `Database` is
handed in, `post_init` opens one (embedded when DATABASE_URL is unset) and refuses to start on an
outdated schema unless asked to migrate; `post_shutdown` closes what post_init opened.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from telegram import BotCommand, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot import migrations, texts
from bot.database import Database, open_database
from bot.entrada.caixa import CaixaDeEntrada
from bot.entrada.efeito import SessoesComEntrada
from bot.entrada.porta import BotComEntrada, FilaDeEntrada, Porta, endereco_publico
from bot.entrada.respostas import RespostasAdiadas
from bot.errors import ConfigError
from bot.ordering import Interrupcao, PerChatUpdateProcessor
from bot.services import Services
from bot.settings import Settings
from handlers import delivery
from handlers.context import SERVICES_KEY, CogepContext
from handlers.documentos import TelegramBaixador
from handlers.keyboards import BOTOES_DE_AVISO, pedido_de_acesso
from handlers.reply import send_later_part

log = logging.getLogger("cogep.app")

CogepApplication = Application[Any, CogepContext, Any, Any, Any, Any]
DATABASE_KEY = "database"
PORTA_KEY = "porta"
RESPOSTAS_KEY = "respostas_adiadas"
COMANDOS_KEY = "publicar_comandos"
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
    rate_limit: bool = False,
) -> CogepApplication:
    """Build the bot; pass `request` objects to talk to something other than Telegram."""
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
        # Off by default: it caps *all* sends at 30/s bot-wide, so a burst of replies queues
        # behind it (bench/updates.py measured p50 0.5 s). Replies wait out 429s themselves
        # (handlers.reply); bulk notices get their own paced delivery.
        rate_limiter=AIORateLimiter(max_retries=3) if rate_limit else None,
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
    respostas = app.bot_data[RESPOSTAS_KEY] = RespostasAdiadas(database.sessions)
    porta.ligar(CaixaDeEntrada(database.sessions), respostas)


async def _post_init(app: CogepApplication) -> None:
    """Open the database if nobody handed one in, then publish the command list."""
    settings: Settings = app.bot_data["settings"]
    if SERVICES_KEY not in app.bot_data:
        database = await open_database(settings)
        app.bot_data[DATABASE_KEY] = database
        await _ensure_schema(database, migrate=app.bot_data["migrate"])
        _ligar(app, settings, database)
    delivery.iniciar(app)
    services: Services = app.bot_data[SERVICES_KEY]
    await services.conhecimento.iniciar()  # background ingestion, resuming unfinished documents
    porta: Porta = app.bot_data[PORTA_KEY]
    await porta.reprocessar(app.bot, app.update_queue)  # before any new update is fetched
    respostas: RespostasAdiadas = app.bot_data[RESPOSTAS_KEY]
    respostas.iniciar(functools.partial(send_later_part, app.bot))
    await _publicar_comandos(app)
    await _publicar_quadro(app, settings)
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


async def _publicar_quadro(app: CogepApplication, settings: Settings) -> None:
    """With a public https address, the chat's menu button opens the board (bot.quadro)."""
    if settings.quadro_url is None:
        return
    botao = MenuButtonWebApp(texts.MENU_QUADRO, WebAppInfo(settings.quadro_url))
    try:
        await app.bot.set_chat_menu_button(menu_button=botao)
    except TelegramError as exc:  # the chat works without it; /processos still offers 🗂
        log.warning("could not set the menu button to the board (%s)", exc.message)


async def _depois(app: CogepApplication, esperas: tuple[float, ...]) -> None:
    await asyncio.sleep(esperas[0])
    await _publicar_comandos(app, esperas[1:])


async def _post_shutdown(app: CogepApplication) -> None:
    """Stop the background work (ingestion, the mentor's HTTP pool, the notice sender, held-back
    replies), write the inbox's last marks of done, close the database."""
    tarefa: asyncio.Task[None] | None = app.bot_data.pop(COMANDOS_KEY, None)
    if tarefa is not None:
        tarefa.cancel()
    services: Services | None = app.bot_data.get(SERVICES_KEY)
    if services is not None:
        await services.conhecimento.parar()
        await services.mentor.fechar()
    await delivery.parar(app)
    respostas: RespostasAdiadas | None = app.bot_data.get(RESPOSTAS_KEY)
    if respostas is not None:
        await respostas.parar()
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
