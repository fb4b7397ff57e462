"""The dependency rule, read from the imports: composition root -> handlers -> services -> db.

See docs/architecture.md. Every import counts, including those inside functions.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The composition root: the only modules of bot/ that wire Telegram (and the handlers) in.
COMPOSITION_ROOT = {
    "bot/app.py", "bot/console.py", "bot/cli.py", "bot/ordering.py", "bot/entrada/porta.py",
    "bot/desligamento.py",
}  # fmt: skip


# The Telegram adapter: sends and edits (bot.saida). It belongs to the composition root and may
# import telegram; the handlers use it; services may read only its plain-data outcomes.
ADAPTER = "bot/saida/"
ADAPTER_DATA = "bot.saida.resultado"


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, as its top-level package and full dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names | {name.split(".")[0] for name in names}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _offenders(
    folder: str, forbidden: set[str], *, allowed: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """The modules of `folder` (but `allowed`) importing any of `forbidden`, with what."""
    found = {}
    for path in _modules(folder):
        if _relative(path) in allowed:
            continue
        bad = _imports(path) & forbidden
        if bad:
            found[_relative(path)] = sorted(bad)
    return found


def _adapter_modules() -> set[str]:
    return {
        _relative(p).removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for p in _modules(ADAPTER)
    }


def test_services_never_import_telegram_the_handlers_or_the_adapter() -> None:
    allowed = frozenset(COMPOSITION_ROOT) | {_relative(p) for p in _modules(ADAPTER)}
    forbidden = {"telegram", "handlers", *(_adapter_modules() - {ADAPTER_DATA})}
    assert _offenders("bot", forbidden, allowed=allowed) == {}


def test_the_adapter_may_import_telegram_but_never_the_handlers() -> None:
    assert _offenders(ADAPTER, {"handlers"}) == {}
    assert any("telegram" in _imports(p) for p in _modules(ADAPTER))


def test_handlers_never_import_sqlalchemy_or_the_composition_root() -> None:
    root = {_relative(ROOT / p).removesuffix(".py").replace("/", ".") for p in COMPOSITION_ROOT}
    assert _offenders("handlers", {"sqlalchemy", *root}) == {}


# The only modules of bot/ that may import the handlers: they assemble the application.
ASSEMBLY = {"bot/app.py", "bot/console.py", "bot/cli.py"}
# Where bot/ may write SQL: the engine's own checks, migrations and the embedded server.
SQL_ALLOWED = {"bot/database.py", "bot/migrations.py", "bot/embedded_db.py"}
# What a service may take from SQLAlchemy: exceptions to catch and session types to annotate.
# (and URL and connection types from sqlalchemy.engine: they build no SQL).
SQLALCHEMY_FOR_SERVICES = {"sqlalchemy.exc", "sqlalchemy.ext.asyncio", "sqlalchemy.engine"}
# The inbox's session factory watches the statements others run; it writes none itself.
SQLALCHEMY_FOR_THE_INBOX = {"sqlalchemy.event", "sqlalchemy.engine.default"}
INBOX = "bot/entrada/efeito.py"


def _sql_imports(path: Path) -> set[str]:
    """The SQL-building parts of SQLAlchemy `path` imports (`select`, `text`, dialects, ORM)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sqlalchemy":  # `from sqlalchemy import select, text, ...`
                found.update(f"sqlalchemy.{alias.name}" for alias in node.names)
                continue
            modules = [node.module]
        else:
            continue
        found.update(
            m
            for m in modules
            if m.split(".")[0] == "sqlalchemy" and m not in SQLALCHEMY_FOR_SERVICES
        )
    return found


def test_services_never_write_sql() -> None:
    offenders = {
        _relative(path): sorted(bad)
        for path in _modules("bot")
        if _relative(path) not in SQL_ALLOWED
        and (
            bad := _sql_imports(path)
            - (SQLALCHEMY_FOR_THE_INBOX if _relative(path) == INBOX else set())
        )
    }
    assert offenders == {}, "SQL goes in db/repositories/"


def test_sql_building_is_recognised_however_it_is_imported(tmp_path: Path) -> None:
    servico = tmp_path / "servico.py"
    servico.write_text(
        "from sqlalchemy.exc import IntegrityError\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
        "def f():\n    from sqlalchemy import select, text\n"
        "import sqlalchemy.dialects.postgresql\n"
    )
    assert _sql_imports(servico) == {
        "sqlalchemy.select", "sqlalchemy.text", "sqlalchemy.dialects.postgresql"
    }  # fmt: skip


def test_only_the_assembly_imports_the_handlers() -> None:
    allowed = frozenset(ASSEMBLY)
    assert _offenders("bot", {"handlers"}, allowed=allowed) == {}


def test_db_knows_nothing_above_it() -> None:
    assert _offenders("db", {"telegram", "handlers", "bot"}) == {}


def test_an_import_inside_a_function_counts_too(tmp_path: Path) -> None:
    handler = tmp_path / "atalho.py"
    handler.write_text("async def h():\n    from sqlalchemy.orm import Session\n")
    assert "sqlalchemy" in _imports(handler)


TEXTS = sorted(p.stem for p in (ROOT / "bot" / "texts").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("feature", TEXTS)
def test_every_texts_module_is_listed_and_re_exported(feature: str) -> None:
    from bot import texts

    module = importlib.import_module(f"bot.texts.{feature}")
    assert module.__all__, f"bot/texts/{feature}.py needs an __all__"
    assert all(getattr(texts, name) is getattr(module, name) for name in module.__all__)


def test_no_sentence_name_is_defined_twice() -> None:
    seen: dict[str, str] = {}
    twice = []
    for feature in TEXTS:
        for name in importlib.import_module(f"bot.texts.{feature}").__all__:
            if name in seen:
                twice.append(f"{name}: {seen[name]} and {feature}")
            seen[name] = feature
    assert twice == []
