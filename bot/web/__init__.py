"""The process's one web server (aiohttp): Telegram's webhook, health, metrics, the board.

    servidor   `ServidorWeb`: builds the routes, listens with short header and idle timeouts,
               stops first at shutdown (no update is taken while the bot winds down)
    webhook    `RotaWebhook`: a push without the right secret header is refused (403) before
               its body is read; a body over 1 MB gets 413; the JSON goes to `entregar`, which
               stores it in the inbox before the 200
    saude      `/healthz` (the process answers), `/readyz` (database reachable, schema at head,
               background tasks alive; 503 with the reasons in JSON) and `/metrics`

Pure HTTP: it imports neither telegram nor SQL. The composition root (`bot.app`) hands it what
it needs as plain callables — how to queue an update, how to check the schema, how to refresh
the metrics read from the database — and the sub-applications to mount (the board at /app/).
"""

from bot.web.saude import Saude
from bot.web.servidor import Montagem, ServidorWeb
from bot.web.webhook import CABECALHO_SEGREDO, LIMITE_CORPO, RotaWebhook, TenteDeNovo

__all__ = [
    "CABECALHO_SEGREDO",
    "LIMITE_CORPO",
    "Montagem",
    "RotaWebhook",
    "Saude",
    "ServidorWeb",
    "TenteDeNovo",
]
