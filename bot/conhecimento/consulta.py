"""What people type into a tsquery: words, `prefixo*`, `"frases exatas"`, `-excluir`.

Only word characters reach the tsquery (every operator is ours), so nothing a user types can
break the query's syntax. Hyphenated words are joined (`e-mail` -> `email`), as the index also
holds them joined (migration 0005). Accent folding and stemming happen in SQL, on the same
chain as the indexed text (`db.repositories.conhecimento.consulta_sql`).

Overlaps `bot.acentos` and the processos search's query building (`to_tsquery` over
`cogep_unaccent`): one shared builder can replace both once they meet (and `cogep_dobrar`,
migration 0006, folds 3.5x faster than `cogep_unaccent`: worth adopting for every vector).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARTE = re.compile(r'(-?)"([^"]*)"?|(-?)(\w+(?:-\w+)*)(\*?)')
_PALAVRA = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Consulta:
    """A parsed query: the tsquery to search, and the OR of its terms to highlight with."""

    tsquery: str
    termos: str

    @property
    def vazia(self) -> bool:
        """True when nothing searchable was typed."""
        return not self.tsquery


def montar(texto: str) -> Consulta:
    """`avaliação "plano de deploy" roll* -teste` -> AND of the words, phrase and prefix."""
    positivos: list[str] = []
    negativos: list[str] = []
    termos: list[str] = []
    for achado in _PARTE.finditer(texto):
        frase_neg, frase, neg, palavra, prefixo = achado.groups()
        if frase is not None:
            palavras = [_juntar(p) for p in _PALAVRA.findall(frase)]
            if not palavras:
                continue
            item = " <-> ".join(palavras)
            item = f"({item})" if len(palavras) > 1 else item
            if frase_neg:
                negativos.append(item)
            else:
                positivos.append(item)
                termos.extend(palavras)
            continue
        termo = _juntar(palavra) + (":*" if prefixo else "")
        (negativos if neg else positivos).append(termo)
        if not neg:
            termos.append(termo)
    if not positivos:
        return Consulta("", "")
    tsquery = " & ".join(positivos + [f"!{n}" for n in negativos])
    return Consulta(tsquery, " | ".join(dict.fromkeys(termos)))


def _juntar(palavra: str) -> str:
    return palavra.replace("-", "")
