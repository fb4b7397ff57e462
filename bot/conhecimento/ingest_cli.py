"""What `cogep ingest` runs: open the database, resolve the owner, ingest, print the summary."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot import migrations
from bot.conhecimento import lote
from bot.conhecimento.servico import ConhecimentoService
from bot.database import open_database
from bot.errors import ConfigError
from bot.notificacoes import SilentNotifier
from bot.settings import Settings
from db.engine import Sessions
from db.models import Usuario
from db.repositories import usuarios as usuarios_repo


async def executar(
    settings: Settings, caminhos: list[Path], *, privado: bool, dono: int | None
) -> int:
    """Ingest `caminhos`; the exit code (0 all good, 1 some file failed)."""
    if privado and dono is None:
        raise ConfigError("--privado precisa de --dono: um documento privado é de alguém.")
    console = Console(stderr=False)
    arquivos, ignorados, ausentes = lote.coletar(caminhos)
    if ausentes:
        raise ConfigError("Caminho não encontrado: " + ", ".join(str(p) for p in ausentes))
    database = await open_database(settings, pool_size=4)
    try:
        if not await migrations.is_current(database.engine):
            raise ConfigError("O esquema do banco está desatualizado. Rode `cogep migrate`.")
        usuario = await _dono(database.sessions, dono)
        servico = ConhecimentoService(database.sessions, settings, SilentNotifier())
        try:
            resumo = await lote.ingerir(
                servico,
                arquivos,
                dono=usuario,
                privado=privado,
                console=console,
                paralelo=settings.ingest_processos + 1,
            )
        finally:
            await servico.parar()
    finally:
        await database.close()
    resumo.ignorados.update(ignorados)
    lote.imprimir(resumo, console)
    return resumo.codigo_saida


async def _dono(sessions: Sessions, telegram_id: int | None) -> Usuario | None:
    if telegram_id is None:
        return None
    async with sessions() as session:
        usuario = await usuarios_repo.por_telegram_id(session, telegram_id=telegram_id)
    if usuario is None:
        raise ConfigError(
            f"Nenhum usuário com id de Telegram {telegram_id} (ele já mandou /start?)."
        )
    return usuario
