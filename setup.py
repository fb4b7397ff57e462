"""The build ships the migrations inside the `db` package, as `db/migracoes`.

Everything else about the build is in pyproject.toml. The migrations stay at the top of the
repository (`alembic/`, `alembic.ini`: where Alembic's users look), but an installed wheel has
no repository around it: without this copy, `cogep migrate` in the Docker image (a
non-editable `pip install .`) found no `alembic/`. `bot.migrations` reads the checkout's files
when they are there, else this copy (`tests/test_pacote.py` installs a wheel to prove it).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RAIZ = Path(__file__).resolve().parent


class CopiarMigracoes(build_py):
    """`build_py`, plus `alembic/` and `alembic.ini` copied to `db/migracoes` in the build."""

    def run(self) -> None:
        super().run()
        destino = Path(self.build_lib) / "db" / "migracoes"
        ignorar = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(RAIZ / "alembic", destino, dirs_exist_ok=True, ignore=ignorar)
        shutil.copy2(RAIZ / "alembic.ini", destino / "alembic.ini")


setup(cmdclass={"build_py": CopiarMigracoes})
