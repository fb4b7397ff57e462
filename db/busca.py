"""Full-text search queries from what people type, shared by every search in Cogep.

    palavras(texto)               the words of `texto` (anything not a letter or digit splits)
    consulta_prefixos(texto, *, config="portuguese")
                                  the SQL tsquery matching every word as a prefix, accents ignored

Processos (`db.repositories.processos.buscar`), contacts (`db.repositories.contatos.buscar`) and
the knowledge base build their `@@` conditions from `consulta_prefixos`, so a query typed in one
place means the same in all: `servidor e-mail` -> `servidor:* & e:* & mail:*`. Nothing typed
reaches the tsquery syntax: the words are letters and digits only.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import ColumnElement, func, literal_column

MAX_PALAVRAS: Final = 8  # more words only slow the query down; nobody types nine to find one
CONFIGURACOES: Final = frozenset({"portuguese", "simple"})


def palavras(texto: str) -> list[str]:
    """The first `MAX_PALAVRAS` words of `texto`: `e-mail do João!` -> [e, mail, do, João]."""
    return "".join(ch if ch.isalnum() else " " for ch in texto).split()[:MAX_PALAVRAS]


def consulta_prefixos(texto: str, *, config: str = "portuguese") -> ColumnElement[Any]:
    """`to_tsquery(config, cogep_unaccent('w1:* & w2:*'))` for the words of `texto`.

    `config` is the text-search configuration: `portuguese` (stemmed, for prose) or `simple`
    (as written, for names). With no word the query matches nothing.
    """
    if config not in CONFIGURACOES:
        raise ValueError(f"unknown text-search configuration: {config!r}")
    prefixos = " & ".join(f"{p}:*" for p in palavras(texto))
    return func.to_tsquery(literal_column(f"'{config}'"), func.cogep_unaccent(prefixos))
