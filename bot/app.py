"""Composition root: settings + database + services + handlers = one PTB Application.

`build_application` is used by `cogep run`, by `cogep console` (with an in-process request
object instead of HTTP) and by the tests (pointed at the fake Bot API). When no `Database` is
handed in, `post_init` opens one (embedded when DATABASE_URL is unset) and refuses to start on an
outdated schema unless asked to migrate. Everything that runs in the background is a named
entry of one `bot.tarefas.Tarefas` registry, listed in start order by `_tarefas`; post_init
starts them, post_stop stops them in reverse within COGEP_SHUTDOWN_TIMEOUT (post_shutdown
too, for a start-up that failed before the bot ran).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot import migrations
from bot.database import Database, open_database
from bot.desligamento import AplicacaoCogep
from bot.entrada.caixa import CaixaDeEntrada
from bot.entrada.efeito import SessoesComEntrada
from bot.entrada.porta import BotComEntrada, FilaDeEntrada, Porta, endereco_publico
from bot.entrada.respostas import RespostasAdiadas
from bot.enxurrada import Enxurrada
from bot.errors import ConfigError
from bot.ordering import Interrupcao, PerChatUpdateProcessor, avisar_enxurrada
from bot.services import Services
from bot.settings import Settings
from bot.tarefas import Tarefas
from handlers import delivery
from handlers import mentor as mentor_handlers
from handlers.context import AppState, CogepApplication, CogepContext
from handlers.documentos import TelegramBaixador
from handlers.keyboards import BOTOES_DE_AVISO, pedido_de_acesso
from handlers.reply import send_later_part

__all__ = ["CogepApplication", "OutdatedSchema", "build_application", "serving"]
log = logging.getLogger("cogep.app")

COMANDOS_ESPERAS = (5.0, 30.0, 120.0, 600.0)  # setMyCommands retries, seconds apart
CONSOLE_TOKEN = "1:console"
# Near the database pool's size (20 + 10 overflow): beyond it updates would only wait for a
# connection (and time out after 10 s) instead of waiting, harmlessly, in PTB's update queue.
MAX_CONCURRENT_UPDATES = 32  # the console never talks to Telegram; PTB still wants a token


# Updates that only stop or cancel skip their user's queue; a stop button adds its prefix here.
PARADAS = Interrupcao(prefixos_de_botao=frozenset())


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
        .application_class(AplicacaoCogep)
        .bot(bot)
        .update_queue(fila)
        .context_types(ContextTypes(context=CogepContext, bot_data=AppState))
        .concurrent_updates(
            PerChatUpdateProcessor(
                MAX_CONCURRENT_UPDATES,
                envolver=porta.tratando,
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


def _ligar(app: CogepApplication, raiz: _Raiz, database: Database) -> None:
    """Services and inbox on `database` (the services' transactions resolve a lost COMMIT),
    and the background tasks that work on them."""
    services = Services.build(
        raiz.settings,
        SessoesComEntrada(database.engine),
        botoes_de_pedido=pedido_de_acesso,
        botoes_de_aviso=BOTOES_DE_AVISO,
    )
    services.conhecimento.usar_baixador(TelegramBaixador(app.bot))
    app.bot_data.services = services
    respostas = RespostasAdiadas(database.sessions)
    raiz.porta.ligar(CaixaDeEntrada(database.sessions), respostas)
    _tarefas(app, raiz, respostas)


def _tarefas(app: CogepApplication, raiz: _Raiz, respostas: RespostasAdiadas) -> None:
    """Every background task, in start order (they stop in reverse)."""
    tarefas, services = app.bot_data.tarefas, app.bot_data.services
    tarefas.componente("entrada", parar=functools.partial(_fechar_entrada, raiz.porta))
    tarefas.componente("mentor", parar=services.mentor.fechar)
    # Mentor questions a crash cut off get 🔁; this process's own keep their heartbeat.
    tarefas.laco("mentor-vigia", functools.partial(mentor_handlers.vigiar, app))
    tarefas.componente(
        "ingestao", iniciar=services.conhecimento.iniciar, parar=services.conhecimento.parar
    )

    async def entregar_respostas() -> None:
        respostas.iniciar(functools.partial(send_later_part, app.bot))

    tarefas.componente("respostas-adiadas", iniciar=entregar_respostas, parar=respostas.parar)
    entregador = services.notificacoes.entregador(delivery.TelegramTransporte(app.bot))
    tarefas.laco("notificacoes-envio", entregador.rodar)
    tarefas.componente(
        "notificacoes-rodada",
        iniciar=functools.partial(delivery.agendar, app),
        parar=functools.partial(delivery.parar, app),
    )
    tarefas.laco("comandos", functools.partial(_publicar_comandos, app.bot))


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


async def _parar_tarefas(app: CogepApplication) -> None:
    """Stop every background task, in reverse order, within the shutdown timeout (once)."""
    await app.bot_data.tarefas.parar()


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
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
