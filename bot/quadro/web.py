"""The board as one aiohttp application: the page at `/app/`, its files, and the JSON API.

`aplicacao(estado)` is what the bot's web server mounts; `montar(raiz, estado)` mounts it at
`/app/` (and sends `/app` there, so the page's relative links resolve). The page is plain
HTML/CSS/JS from `estatico/`, no build step; it holds no secret — every API call carries the
initData Telegram gave the page, checked by `bot.quadro.api`.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.quadro.api import Estado, api

ESTATICO = Path(__file__).with_name("estatico")
PREFIXO = "/app"
# The page may only talk to us and run our script and Telegram's (no inline code, so an
# injected title can never run). Framing stays open: Telegram Web shows Mini Apps in an iframe.
POLITICA = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'"
)


async def _pagina(request: web.Request) -> web.FileResponse:
    """index.html, never cached (it names the current script)."""
    resposta = web.FileResponse(ESTATICO / "index.html")
    resposta.headers["Cache-Control"] = "no-cache"
    resposta.headers["Content-Security-Policy"] = POLITICA
    return resposta


def aplicacao(estado: Estado) -> web.Application:
    """The board: `/` the page, `/estatico/` its files, `/api/` the JSON API."""
    app = web.Application()
    app.router.add_get("/", _pagina)
    app.router.add_static("/estatico", ESTATICO)
    app.add_subapp("/api", api(estado))
    return app


def montar(raiz: web.Application, estado: Estado) -> None:
    """Mount the board at `/app/` of `raiz`."""

    async def _barra(request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect(PREFIXO + "/")

    raiz.router.add_get(PREFIXO, _barra)
    raiz.add_subapp(PREFIXO + "/", aplicacao(estado))
