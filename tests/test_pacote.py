"""The installed package migrates: a wheel, installed as the Docker image installs it (not
editable), carries the migrations and finds them, from any working directory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot import migrations

ROOT = Path(__file__).resolve().parent.parent
FONTES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "alembic.ini")
PASTAS = ("bot", "handlers", "db", "alembic")

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def roda(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources (the build writes beside them)."""
    fonte = tmp_path_factory.mktemp("fonte")
    for nome in FONTES:
        shutil.copy2(ROOT / nome, fonte / nome)
    for nome in PASTAS:
        shutil.copytree(
            ROOT / nome, fonte / nome, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    saida = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(saida), str(fonte)],
        check=True, cwd=fonte,
    )  # fmt: skip
    [arquivo] = saida.glob("cogep-*.whl")
    return arquivo


def test_the_wheel_carries_every_migration_and_the_alembic_config(roda: Path) -> None:
    nomes = set(zipfile.ZipFile(roda).namelist())
    versoes = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))
    assert versoes, "no migration found in the checkout"
    for arquivo in ("alembic.ini", "env.py", "script.py.mako", *(f"versions/{v}" for v in versoes)):
        assert f"db/migracoes/{arquivo}" in nomes, f"{arquivo} is not in the wheel"


def test_an_installed_wheel_finds_its_migrations_from_anywhere(roda: Path, tmp_path: Path) -> None:
    alvo = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(alvo),
         str(roda)],
        check=True,
    )  # fmt: skip
    sonda = (
        "import bot, bot.migrations as m; "
        "print(bot.__file__); print(m.pasta_das_migracoes()); print(m.head_revision())"
    )
    resposta = subprocess.run(
        [sys.executable, "-c", sonda],
        env={"PYTHONPATH": str(alvo), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # nowhere near the checkout
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pacote, pasta, cabeca = resposta.stdout.split()
    assert Path(pacote).is_relative_to(alvo), "the probe imported the checkout, not the wheel"
    assert Path(pasta) == alvo / "db" / "migracoes"
    assert cabeca == migrations.head_revision()
