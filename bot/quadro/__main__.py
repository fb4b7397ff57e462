"""`python -m bot.quadro`: the board alone, for trying the page by hand.

Serves `/app/` on COGEP_WEB_LISTEN:COGEP_WEB_PORT (default 127.0.0.1:8080) with the bot's
settings and database. The bot itself serves the board from its own web server; this one only
spares running Telegram while working on the page. Outside Telegram the page needs initData:
`--como TELEGRAM_ID` prints a signed one to paste into `Telegram.WebApp.initData`.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from aiohttp import web

from bot.database import open_database
from bot.quadro import Estado, montar
from bot.quadro.initdata import assinar
from bot.services import Services
from bot.settings import load_settings


async def servir(como: int | None) -> None:
    """Run until interrupted."""
    settings = load_settings()
    token = settings.telegram_bot_token
    if token is None:
        raise SystemExit(
            "TELEGRAM_BOT_TOKEN não definido: o quadro confere as assinaturas com ele."
        )
    database = await open_database(settings)
    services = Services.build(settings, database.sessions)
    raiz = web.Application()
    montar(raiz, Estado(services=services, token=token.get_secret_value()))
    runner = web.AppRunner(raiz)
    await runner.setup()
    porta = settings.web_port or 8080
    await web.TCPSite(runner, settings.web_listen, porta).start()
    print(f"quadro em http://{settings.web_listen}:{porta}/app/")
    if como is not None:
        dados = assinar(
            token.get_secret_value(), telegram_id=como, nome="Dev", auth_date=datetime.now(UTC)
        )
        print(f"initData de {como} (24 h): {dados}")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await database.close()


def main() -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(prog="python -m bot.quadro", description=__doc__)
    parser.add_argument("--como", type=int, help="print initData signed for this Telegram id")
    args = parser.parse_args()
    asyncio.run(servir(args.como))


if __name__ == "__main__":
    main()
