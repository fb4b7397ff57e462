"""`cogep backup PATH` and `cogep restore PATH`: pg_dump and pg_restore of the configured database.

A dump is only as good as the pg_dump that wrote it, and pg_dump refuses a server newer than
itself, so the programs are chosen by the *server's* major version among: those on PATH, Debian's
`/usr/lib/postgresql/N/bin`, and the two the embedded server's package ships (16 and 18). None
of that version is one line that says which were found and what to install. The embedded
database is started for the duration, like any other command.

The dump is pg_dump's custom format (compressed, restored selectively by pg_restore). Restore
runs in one transaction, so a failed restore changes nothing, and refuses a database that
already holds tables unless told to replace them. Passwords reach the programs through
PGPASSWORD, never their command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from bot.database import open_database, server_facts
from bot.embedded_db import find_bin_dir
from bot.errors import CogepError
from bot.settings import Settings

_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


class BackupError(CogepError):
    """A backup or restore that cannot be done; its message is one pt-BR line."""


@dataclass(frozen=True)
class Programa:
    """One pg_dump or pg_restore found on this machine, with its major version."""

    caminho: Path
    versao: int


def candidatos(nome: str) -> list[Path]:
    """Where `nome` (pg_dump, pg_restore) may be: PATH, Debian's folders, the embedded ones."""
    achados: list[Path] = []
    if (no_path := shutil.which(nome)) is not None:
        achados.append(Path(no_path))
    achados += [Path(p) for p in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{nome}"))]
    with_embedded = find_bin_dir()
    achados += [with_embedded / nome, with_embedded.parent.parent / "pginstall18" / "bin" / nome]
    return [p for p in dict.fromkeys(achados) if os.access(p, os.X_OK)]


def versao_de(programa: Path) -> int | None:
    """The major version `programa --version` reports, or None if it does not run."""
    try:
        saida = subprocess.run(
            [str(programa), "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError:
        return None
    achado = _VERSION.search(saida)
    return int(achado.group(1)) if achado else None


def escolher(nome: str, versao_do_servidor: int) -> Programa:
    """The first `nome` of the server's major version, or a BackupError listing what exists."""
    vistos: list[str] = []
    for caminho in candidatos(nome):
        versao = versao_de(caminho)
        if versao == versao_do_servidor:
            return Programa(caminho, versao)
        vistos.append(f"{versao or '?'} em {caminho}")
    raise BackupError(
        f"Nenhum {nome} da versão {versao_do_servidor} do servidor PostgreSQL "
        f"(encontrados: {', '.join(vistos) or 'nenhum'}). Instale postgresql-client-"
        f"{versao_do_servidor}, ou rode-o no contêiner do banco (veja o README, Backups)."
    )


@dataclass(frozen=True)
class _Banco:
    """What backup and restore need to know of the configured database."""

    url: URL
    versao: int
    tem_tabelas: bool


@contextlib.asynccontextmanager
async def _aberto(settings: Settings) -> AsyncIterator[_Banco]:
    """The configured database (the embedded server kept up) while the block runs."""
    database = await open_database(settings, pool_size=1)
    try:
        versao, tem_tabelas = await server_facts(database.engine)
        yield _Banco(database.engine.url, versao, tem_tabelas)
    finally:
        await database.close()


def _ambiente(url: URL) -> dict[str, str]:
    """libpq's variables for `url` (host may be the embedded server's socket directory)."""
    host = url.query.get("host") or url.host
    port = url.query.get("port") or url.port
    valores = {
        "PGHOST": host,
        "PGPORT": port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{k: str(v) for k, v in valores.items() if v is not None}}


async def _rodar(programa: Programa, argumentos: list[str], url: URL) -> None:
    """Run a PostgreSQL program; its last error line becomes a BackupError."""
    resultado = await asyncio.to_thread(
        subprocess.run,
        [str(programa.caminho), *argumentos],
        env=_ambiente(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if resultado.returncode != 0:
        linhas = [linha for linha in resultado.stderr.splitlines() if linha.strip()]
        motivo = linhas[-1] if linhas else f"código {resultado.returncode}"
        raise BackupError(f"{programa.caminho.name} falhou: {motivo}")


async def backup(settings: Settings, destino: Path) -> Programa:
    """Dump the configured database into `destino`; return the pg_dump used."""
    if await asyncio.to_thread(destino.is_dir):
        raise BackupError(f"{destino} é uma pasta: dê o nome do arquivo do backup.")
    async with _aberto(settings) as banco:
        pg_dump = await asyncio.to_thread(escolher, "pg_dump", banco.versao)
        parcial = destino.with_name(f".{destino.name}.parcial")
        argumentos = ["--format=custom", "--no-owner", f"--file={parcial}"]
        await _rodar(pg_dump, argumentos, banco.url)
    await asyncio.to_thread(
        parcial.replace, destino
    )  # a dump cut halfway never takes the place of a good one
    return pg_dump


async def restore(settings: Settings, origem: Path, *, substituir: bool) -> Programa:
    """Restore `origem` into the configured database, in one transaction."""
    if not await asyncio.to_thread(origem.is_file):
        raise BackupError(f"Arquivo de backup não encontrado: {origem}")
    async with _aberto(settings) as banco:
        if banco.tem_tabelas and not substituir:
            raise BackupError(
                f"O banco {banco.url.database!r} já tem tabelas. Restaure num banco vazio, ou "
                "use --substituir para apagar o que ele tem e pôr o backup no lugar."
            )
        pg_restore = await asyncio.to_thread(escolher, "pg_restore", banco.versao)
        argumentos = ["--no-owner", "--single-transaction", "--exit-on-error"]
        argumentos += [f"--dbname={banco.url.database}"]
        if substituir:
            argumentos += ["--clean", "--if-exists"]
        await _rodar(pg_restore, [*argumentos, str(origem)], banco.url)
    return pg_restore
