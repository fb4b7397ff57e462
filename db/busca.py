"""Full-text search queries from what people type: the one parser, with two modes.

    prefixos(texto)     processos and contacts: every word as a prefix, at most `MAX_PALAVRAS`
                        (`servidor e-mail` -> `servidor:* & e:* & mail:*`)
    documentos(texto)   the knowledge base: stemmed words, `"frases exatas"`, `-exclusões`,
                        `prefixo*` (`deploy "plano de e-mail" -teste` ->
                        `deploy & 'plano de e-mail' & !teste`)
    palavras(texto)     the words of a text as both modes see them (`e-mail` is one word)
    tsquery(consulta, *, config, dobra)
                        the SQL tsquery: `to_tsquery(config, dobra(consulta.tsquery))`

Both modes read the text with one tokenizer, so a query means the same wherever it is typed.
Only word characters reach the tsquery (every operator is ours), so nothing typed can break
its syntax. `dobra` is the SQL function the indexed side was folded with (`cogep_unaccent` for
processos and contacts, `cogep_lexico` for documents, which writes `e-mail` as `e-mail email`
as the index does). A phrase is one quoted operand, which PostgreSQL reads exactly as it read
the indexed text: `"servidor de e-mail"` keeps the positions `e-mail`, `e`, `mail` and `email`
take in the index, so a phrase with a hyphenated word matches the text that contains it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, func, literal_column

MAX_PALAVRAS: Final = 8  # more words only slow a prefix query down; nobody types nine
CONFIGURACOES: Final = frozenset({"portuguese", "simple"})
DOBRAS: Final = frozenset({"cogep_unaccent", "cogep_lexico"})
_PALAVRA = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_PARTE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\W_]+(?:-[^\W_]+)*)(\*?)')


@dataclass(frozen=True)
class Consulta:
    """A parsed query: the tsquery text to search, and the OR of its terms to highlight with."""

    tsquery: str
    termos: str = ""

    @property
    def vazia(self) -> bool:
        """True when nothing searchable was typed."""
        return not self.tsquery


def palavras(texto: str) -> list[str]:
    """The words of `texto`: `o e-mail do João!` -> [o, e-mail, do, João]."""
    return _PALAVRA.findall(texto)


def prefixos(texto: str) -> Consulta:
    """Every word (hyphenated ones split) as a prefix, ANDed; quotes and minus signs are ignored."""
    partes = [p for palavra in palavras(texto) for p in palavra.split("-")][:MAX_PALAVRAS]
    return Consulta(" & ".join(f"{p}:*" for p in partes), " | ".join(partes))


def documentos(texto: str) -> Consulta:
    """`avaliação "plano de deploy" roll* -teste`: AND of the words, the phrase, the prefix,
    minus the excluded; a query of exclusions alone is empty."""
    positivos: list[str] = []
    negativos: list[str] = []
    termos: list[str] = []
    for achado in _PARTE.finditer(texto):
        frase_neg, frase, neg, palavra, prefixo = achado.groups()
        if frase is not None:
            dentro = palavras(frase)
            if not dentro:
                continue
            item = f"'{' '.join(dentro)}'" if len(dentro) > 1 else _juntar(dentro[0])
            if frase_neg:
                negativos.append(item)
            else:
                positivos.append(item)
                termos.extend(_juntar(p) for p in dentro)
            continue
        termo = _juntar(palavra) + (":*" if prefixo else "")
        (negativos if neg else positivos).append(termo)
        if not neg:
            termos.append(termo)
    if not positivos:
        return Consulta("")
    tsquery = " & ".join(positivos + [f"!{n}" for n in negativos])
    return Consulta(tsquery, " | ".join(dict.fromkeys(termos)))


def tsquery(
    consulta: Consulta, *, config: str = "portuguese", dobra: str = "cogep_unaccent"
) -> ColumnElement[Any]:
    """`to_tsquery(config, dobra(consulta.tsquery))`; an empty query matches nothing.

    `config` is the text-search configuration: `portuguese` (stemmed, for prose) or `simple`
    (as written, for names); `dobra` the folding of the indexed side.
    """
    if config not in CONFIGURACOES:
        raise ValueError(f"unknown text-search configuration: {config!r}")
    if dobra not in DOBRAS:
        raise ValueError(f"unknown folding function: {dobra!r}")
    dobrada = getattr(func, dobra)(consulta.tsquery)
    return func.to_tsquery(literal_column(f"'{config}'"), dobrada)


def _juntar(palavra: str) -> str:
    """`e-mail` -> `email`: a lone hyphenated word is matched as the index also holds it."""
    return palavra.replace("-", "")
