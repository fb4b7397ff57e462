"""`cogep backup` and `cogep restore`: a team's database survives the round trip whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import CogepApplication
from bot.backup import BackupError, escolher
from bot.database import Database
from tests.fake_telegram import FakeTelegram
from tests.test_cli import cogep
from tests.test_conhecimento_chat import aviso, envia_arquivo
from tests.test_processos import registrar

MANUAL = "Manual de Deploy\n\nRollback: volte a imagem anterior e rode as migrações de volta.\n"
# What a team would miss after a restore, read the same way from both databases.
CONTEUDO = {
    "processos": "SELECT numero, titulo, status FROM processos ORDER BY numero",
    "historico": "SELECT count(*) FROM processo_eventos",
    "documentos": "SELECT sha256, status FROM documentos ORDER BY sha256",
    "trechos": "SELECT count(*), string_agg(texto, '|' ORDER BY id) FROM trechos",
    "lembretes": "SELECT texto, quando FROM lembretes ORDER BY id",
    "usuarios": "SELECT telegram_id, papel FROM usuarios ORDER BY telegram_id",
}


async def _conteudo(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    async with engine.connect() as conexao:
        return {
            nome: [tuple(linha) for linha in await conexao.execute(text(sql))]
            for nome, sql in CONTEUDO.items()
        }


async def test_a_backup_restores_into_a_fresh_database_with_everything_in_it(
    tg: FakeTelegram,
    bot: CogepApplication,
    database: Database,
    database_url: str,
    empty_engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    ana = await registrar(tg, 900_001, "Ana")
    await ana.diz("/novo Migrar o servidor de e-mail | prioridade alta")
    await ana.diz("/lembrar amanhã 9h revisar o PR do deploy")
    await envia_arquivo(ana, "deploy.md", MANUAL.encode(), mime="text/markdown")
    await aviso(ana, "está na base de conhecimento")
    origem = await _conteudo(database.engine)
    copia = tmp_path / "cogep.dump"

    feito = await asyncio.to_thread(cogep, "backup", str(copia), env={"DATABASE_URL": database_url})
    destino = empty_engine.url.render_as_string(hide_password=False)
    restaurado = await asyncio.to_thread(
        cogep, "restore", str(copia), env={"DATABASE_URL": destino}
    )

    assert feito.returncode == 0, feito.stderr
    assert restaurado.returncode == 0, restaurado.stderr
    assert "Backup gravado em" in feito.stdout and "restaurado" in restaurado.stdout
    assert all(origem.values()) and origem["trechos"][0][0] != 0
    assert await _conteudo(empty_engine) == origem


async def test_restore_over_data_needs_substituir_and_then_puts_the_backup_in_place(
    tg: FakeTelegram, bot: CogepApplication, database: Database, database_url: str, tmp_path: Path
) -> None:
    ana = await registrar(tg, 900_001, "Ana")
    await ana.diz("/novo Antes do backup")
    copia = tmp_path / "cogep.dump"
    await asyncio.to_thread(cogep, "backup", str(copia), env={"DATABASE_URL": database_url})
    await ana.diz("/novo Depois do backup")

    recusa = await asyncio.to_thread(
        cogep, "restore", str(copia), env={"DATABASE_URL": database_url}
    )
    titulos_apos_recusa = [t for _, t, _ in (await _conteudo(database.engine))["processos"]]
    await bot.stop()  # a replacing restore takes the tables from under a running bot
    substituido = await asyncio.to_thread(
        cogep, "restore", "--substituir", str(copia), env={"DATABASE_URL": database_url}
    )

    assert recusa.returncode == 2
    assert "já tem tabelas" in recusa.stderr and "--substituir" in recusa.stderr
    assert len(recusa.stderr.strip().splitlines()) == 1
    assert titulos_apos_recusa == ["Antes do backup", "Depois do backup"]  # nothing touched
    assert substituido.returncode == 0, substituido.stderr
    processos = (await _conteudo(database.engine))["processos"]
    assert [t for _, t, _ in processos] == ["Antes do backup"]


def test_a_missing_backup_file_is_one_line(tmp_path: Path) -> None:
    result = cogep("restore", str(tmp_path / "nada.dump"), env={})

    assert result.returncode == 2
    assert "Arquivo de backup não encontrado" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_server_version_with_no_matching_pg_dump_says_what_was_found() -> None:
    with pytest.raises(BackupError) as recusa:
        escolher("pg_dump", 99)

    assert "Nenhum pg_dump da versão 99" in recusa.value.message
    assert "16 em " in recusa.value.message  # the embedded server's own is listed
    assert "postgresql-client-99" in recusa.value.message


def test_the_embedded_servers_pg_dump_serves_its_version() -> None:
    assert escolher("pg_dump", 16).versao == 16
