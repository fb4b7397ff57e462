"""The maps stay true: package indexes, the exception tree, and "Where things go".

A newcomer finds their way by `__init__` docstrings, `bot/errors.py` and docs/architecture.md;
each test here fails when the code grows past what its map says.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from bot import errors
from bot.errors import CogepError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(
    init.parent for top in ("bot", "handlers", "db") for init in (ROOT / top).rglob("__init__.py")
)


def _nome(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _submodulos(pacote: Path) -> list[str]:
    modulos = {p.stem for p in pacote.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return sorted(modulos | {p.name for p in pacote.iterdir() if (p / "__init__.py").exists()})


@pytest.mark.parametrize("pacote", PACKAGES, ids=_nome)
def test_every_submodule_is_named_in_its_package_index(pacote: Path) -> None:
    indice = ast.get_docstring(ast.parse((pacote / "__init__.py").read_text())) or ""
    faltam = [s for s in _submodulos(pacote) if not re.search(rf"(?<!\w){s}(?!\w)", indice)]
    assert not faltam, f"{_nome(pacote)}'s docstring does not name {faltam}"


def _excecoes() -> list[type[BaseException]]:
    achadas: dict[str, type[BaseException]] = {}
    for pacote in PACKAGES:
        for arquivo in sorted(pacote.glob("*.py")):
            if arquivo.stem == "__main__":
                continue
            modulo = importlib.import_module(_nome(arquivo))
            for classe in vars(modulo).values():
                if (
                    inspect.isclass(classe)
                    and issubclass(classe, BaseException)
                    and classe.__module__ == modulo.__name__
                ):
                    achadas[f"{classe.__module__}.{classe.__qualname__}"] = classe
    return list(achadas.values())


def test_the_search_for_exceptions_finds_those_outside_errors_py() -> None:
    nomes = {c.__name__ for c in _excecoes()}
    assert {"RespostaAdiada", "JaFeito", "EntradaIndisponivel", "Recusado"} <= nomes


def test_every_exception_derives_from_cogep_error_and_is_in_the_documented_tree() -> None:
    arvore = errors.__doc__ or ""
    fora = [c.__qualname__ for c in _excecoes() if not issubclass(c, CogepError)]
    sem_mapa = [c.__qualname__ for c in _excecoes() if not re.search(rf"\b{c.__name__}\b", arvore)]
    assert not fora, f"not a CogepError: {fora}"
    assert not sem_mapa, f"missing from bot/errors.py's tree: {sem_mapa}"


def _onde_vai() -> dict[str, str]:
    texto = (ROOT / "docs" / "architecture.md").read_text()
    secao = texto.split("## Where things go", 1)[1].split("\n## ", 1)[0]
    linhas = (linha.split("|") for linha in secao.splitlines() if linha.startswith("| "))
    return {partes[1].strip(): partes[2] for partes in linhas if len(partes) > 3}


@pytest.mark.parametrize(
    "coisa", ["command", "button", "table", "notice kind", "mentor tool", "sentence", "error"]
)
def test_where_things_go_names_only_files_and_modules_that_exist(coisa: str) -> None:
    receita = _onde_vai()[coisa]
    caminhos = re.findall(r"`((?:bot|handlers|db|alembic|tests|docs)/[\w/<>.]+)`", receita)
    modulos = re.findall(r"`((?:bot|handlers|db)\.[a-z_.]+)`", receita)
    assert caminhos or modulos, f"the {coisa} recipe names no file"
    for caminho in caminhos:
        if "<" in caminho:  # a pattern such as handlers/<feature>.py: its folder exists
            caminho = caminho.split("<", 1)[0]
        assert (ROOT / caminho).exists(), f"{coisa}: {caminho} does not exist"
    for modulo in modulos:
        _importavel(modulo, coisa)


def _importavel(nome: str, coisa: str) -> None:
    """`nome` is a module, or an attribute of one (`handlers.teclados.BOTOES_DE_AVISO`)."""
    partes = nome.split(".")
    for corte in range(len(partes), 0, -1):
        try:
            objeto: object = importlib.import_module(".".join(partes[:corte]))
        except ModuleNotFoundError:
            continue
        for atributo in partes[corte:]:
            assert hasattr(objeto, atributo), f"{coisa}: {nome} does not exist"
            objeto = getattr(objeto, atributo)
        return
    pytest.fail(f"{coisa}: {nome} does not exist")
