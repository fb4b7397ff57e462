"""The `cogep` command (also `python -m bot`): run, console, migrate, ingest, backup, restore.

Every expected failure (bad setting, database down, outdated schema) ends in one clear line on
stderr and exit code 2; tracebacks are for bugs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from bot.errors import CogepError, explicavel
from bot.settings import Settings, load_settings

cli = typer.Typer(
    help="Cogep: processos, contatos e mentor para a sua equipe, no Telegram.",
    no_args_is_help=True,
    add_completion=False,
)
log = logging.getLogger("cogep.cli")
T = TypeVar("T")


def _settings() -> Settings:
    from bot.logs import configure_logging

    settings = _guard(load_settings)
    secrets = [
        s.get_secret_value()
        for s in (
            settings.telegram_bot_token,
            settings.database_url,
            settings.openai_api_key,
            settings.webhook_secret,
        )
        if s is not None
    ]
    configure_logging(
        settings.log_level,
        secrets=secrets,
        log_textos=settings.log_textos,
        formato=settings.log_formato,
    )
    return settings


def _guard(action: Callable[[], T]) -> T:
    """Run `action`; turn an expected failure into one line and exit code 2."""
    try:
        return action()
    except CogepError as exc:
        if not explicavel(exc):
            raise  # a bug: its traceback
        typer.secho(f"cogep: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@cli.command()
def run(
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Aplicar migrações pendentes antes de iniciar.")
    ] = False,
) -> None:
    """Start the bot: polling, or a webhook when WEBHOOK_URL is set."""
    from bot.app import build_application, rodar

    settings = _settings()
    _guard(settings.webhook)  # a webhook without its secret is refused before anything starts
    app = _guard(lambda: build_application(settings, migrate=migrate))
    _guard(lambda: asyncio.run(rodar(app)))


@cli.command()
def console(
    user_id: Annotated[
        int | None,
        typer.Option(help="Id de Telegram simulado (padrão: 1 como admin, 2 como membro)."),
    ] = None,
    name: Annotated[str, typer.Option(help="Nome do usuário simulado.")] = "Você",
    admin: Annotated[
        bool, typer.Option("--admin/--membro", help="Entrar como administrador ou como membro.")
    ] = True,
) -> None:
    """Chat with Cogep in the terminal: same handlers, no Telegram, no token."""
    from bot.console import run_console

    settings = _settings()
    if not settings.log_level_escolhido:  # keep the conversation readable: only problems logged
        logging.getLogger().setLevel(logging.WARNING)
    _guard(lambda: asyncio.run(run_console(settings, user_id=user_id, name=name, admin=admin)))


@cli.command()
def migrate() -> None:
    """Apply pending database migrations (upgrade head)."""
    from bot import migrations
    from bot.database import open_database

    settings = _settings()

    async def upgrade() -> str | None:
        database = await open_database(settings)
        try:
            await migrations.upgrade(database.engine)
            return await migrations.current_revision(database.engine)
        finally:
            await database.close()

    revision = _guard(lambda: asyncio.run(upgrade()))
    typer.echo(f"Banco de dados atualizado (revisão {revision}).")


@cli.command()
def ingest(
    caminhos: Annotated[
        list[Path], typer.Argument(help="Arquivos ou pastas (percorridas recursivamente).")
    ],
    privado: Annotated[
        bool, typer.Option("--privado", help="Só o dono vê os documentos (exige --dono).")
    ] = False,
    dono: Annotated[
        int | None, typer.Option("--dono", help="Id de Telegram de quem fica como remetente.")
    ] = None,
) -> None:
    """Ingest files and folders into the knowledge base, with a progress bar and a summary."""
    from bot.conhecimento.ingest_cli import executar

    settings = _settings()
    codigo = _guard(lambda: asyncio.run(executar(settings, caminhos, privado=privado, dono=dono)))
    raise typer.Exit(codigo)


@cli.command()
def backup(
    arquivo: Annotated[Path, typer.Argument(help="Arquivo a criar (formato do pg_dump).")],
) -> None:
    """Back up the configured database into a file (pg_dump, custom format)."""
    from bot import backup as copias

    settings = _settings()
    programa = _guard(lambda: asyncio.run(copias.backup(settings, arquivo)))
    tamanho = arquivo.stat().st_size / 1_048_576
    typer.echo(f"Backup gravado em {arquivo} ({tamanho:.1f} MB, {programa.caminho}).")


@cli.command()
def restore(
    arquivo: Annotated[Path, typer.Argument(help="Arquivo feito por `cogep backup`.")],
    substituir: Annotated[
        bool,
        typer.Option("--substituir", help="Apagar o que o banco já tem e pôr o backup no lugar."),
    ] = False,
) -> None:
    """Restore a backup into the configured database (an empty one, or --substituir)."""
    from bot import backup as copias

    settings = _settings()
    _guard(lambda: asyncio.run(copias.restore(settings, arquivo, substituir=substituir)))
    typer.echo(
        f"Backup {arquivo} restaurado. Se ele é de uma versão anterior, rode `cogep migrate`."
    )


def main() -> None:
    """Entry point of the `cogep` script."""
    cli(prog_name="cogep")


if __name__ == "__main__":
    main()
