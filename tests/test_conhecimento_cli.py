"""`cogep ingest` as a person runs it on a folder: progress, a summary, the exit code."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.database import Database
from db.models import Documento, Usuario
from tests import documentos_de_teste as arquivos
from tests.test_cli import cogep


def pasta_da_equipe(raiz: Path) -> Path:
    (raiz / "manuais" / ".rascunhos").mkdir(parents=True)
    (raiz / "manuais" / "deploy.pdf").write_bytes(arquivos.pdf_manual())
    (raiz / "manuais" / "copia-do-deploy.pdf").write_bytes(arquivos.pdf_manual())
    (raiz / "manuais" / "quebrado.pdf").write_bytes(arquivos.pdf_corrompido())
    (raiz / "manuais" / ".rascunhos" / "ideia.md").write_text("# Ideia\n\nSegredo.")
    (raiz / "guia.docx").write_bytes(arquivos.docx_com_titulos())
    (raiz / "logo.png").write_bytes(b"\x89PNG")
    return raiz


async def test_a_folder_is_ingested_past_a_bad_file_with_a_summary(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    pasta = pasta_da_equipe(tmp_path / "docs")

    result = cogep("ingest", str(pasta), env={"DATABASE_URL": database_url})

    assert result.returncode == 1, result.stderr
    saida = " ".join(result.stdout.split())
    assert "Ingerindo" in saida and "4/4" in saida
    assert "Ingeridos: 2" in saida and "Duplicados: 1" in saida and "Falharam: 1" in saida
    assert "Ignorados: 2 (1 oculto, 1 tipo não suportado)" in saida
    assert "quebrado.pdf: o arquivo está corrompido" in saida
    assert "já está na base, como “Manual de Deploy”" in saida and "«" not in saida
    async with database.sessions() as session:
        titulos = set(
            await session.scalars(select(Documento.titulo).where(Documento.status == "pronto"))
        )
    assert titulos == {"Manual de Deploy", "Guia de Onboarding"}


async def test_private_documents_need_an_owner_who_exists(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "plano.md").write_text("# Plano\n\nMetas do trimestre.")
    async with database.sessions.begin() as session:
        session.add(Usuario(telegram_id=4242, nome="Ana"))
    env = {"DATABASE_URL": database_url}

    sem_dono = cogep("ingest", str(tmp_path), "--privado", env=env)
    desconhecido = cogep("ingest", str(tmp_path), "--dono", "999", env=env)
    certo = cogep("ingest", str(tmp_path), "--privado", "--dono", "4242", env=env)

    assert sem_dono.returncode == 2 and "--privado precisa de --dono" in sem_dono.stderr
    assert desconhecido.returncode == 2 and "999" in desconhecido.stderr
    assert certo.returncode == 0, certo.stderr
    async with database.sessions() as session:
        doc = await session.scalar(select(Documento))
    assert doc is not None and doc.privado and doc.titulo == "Plano"
