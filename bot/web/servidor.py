"""`ServidorWeb`: one aiohttp server per process, started after the bot and stopped before it.

Short timeouts, because the webhook's port faces the internet: `espera_ociosa` closes a
connection that has not sent a complete request head in that long (aiohttp arms its keep-alive
timer when a connection opens), and an idle keep-alive one too; a refused request's body is
never drained (no lingering). Bodies are capped at `LIMITE_CORPO` for every route.

A port that cannot be bound becomes one `ConfigError` line naming the variable to change.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.errors import ConfigError
from bot.web.saude import Saude
from bot.web.webhook import LIMITE_CORPO, RotaWebhook

log = logging.getLogger("cogep.web")

Montagem = Callable[[web.Application], None]
"""Adds routes or a sub-application to the root application (e.g. the board at /app/)."""
ESPERA_OCIOSA = 5.0  # seconds
ESPERA_PARADA = 5.0  # seconds in-flight requests get at shutdown


class ServidorWeb:
    """The routes of this process on `host:porta`; `variavel` names the setting of the port."""

    def __init__(
        self,
        host: str,
        porta: int,
        *,
        variavel: str,
        saude: Saude,
        webhook: RotaWebhook | None = None,
        montagens: Sequence[Montagem] = (),
        espera_ociosa: float = ESPERA_OCIOSA,
    ) -> None:
        self.host = host
        self.porta = porta
        self.variavel = variavel
        self.saude = saude
        self.webhook = webhook
        self.montagens = tuple(montagens)
        self.espera_ociosa = espera_ociosa
        self._runner: web.AppRunner | None = None

    def aplicacao(self) -> web.Application:
        """The root application: webhook, probes, metrics, then the mounted ones."""
        app = web.Application(client_max_size=LIMITE_CORPO)
        if self.webhook is not None:
            app.router.add_post("/" + self.webhook.caminho.lstrip("/"), self.webhook.receber)
        self.saude.rotas(app)
        for montar in self.montagens:
            montar(app)
        return app

    async def iniciar(self) -> None:
        """Listen (idempotent)."""
        if self._runner is not None:
            return
        runner = web.AppRunner(
            self.aplicacao(),
            handle_signals=False,
            access_log=None,  # no request lines: paths and clients are not worth a log line
            keepalive_timeout=self.espera_ociosa,
            lingering_time=0,
            shutdown_timeout=ESPERA_PARADA,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.porta).start()
        except OSError as exc:
            await runner.cleanup()
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
                raise
            raise ConfigError(
                f"Não foi possível escutar em {self.host}:{self.porta} "
                f"({exc.strerror or exc}). Escolha outra {self.variavel} ou pare o que a ocupa."
            ) from None
        self._runner = runner
        log.info("web server listening on %s:%s", self.host, self.porta)

    async def parar(self) -> None:
        """Stop taking requests; in-flight ones get ESPERA_PARADA seconds."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
