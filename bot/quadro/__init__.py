"""The board: a Telegram Mini App where the team sees and moves its processos.

    initdata   verify `Authorization: tma <initData>` as Telegram specifies (and sign it, for
               tests and the dev server)
    api        the JSON API under /app/api/, calling the chat's services (`bot.services`)
    formato    what that JSON says about a processo, a reminder, a passage
    web        `aplicacao(estado)`: page + API as one aiohttp app; `montar` puts it at /app/
    estatico/  the page: plain HTML/CSS/JS, Telegram's telegram-web-app.js, no build step
    __main__   `python -m bot.quadro`: a dev server on COGEP_WEB_LISTEN:COGEP_WEB_PORT

An adapter like `handlers/`, for HTTP instead of Telegram updates: it parses a request, calls
one service and renders JSON; it never imports sqlalchemy or telegram. The board's read is
`ProcessoService.quadro` (`bot.processos.quadro`, `db.repositories.quadro`).
"""

from bot.quadro.api import Estado
from bot.quadro.web import aplicacao, montar

__all__ = ["Estado", "aplicacao", "montar"]
