"""Input hygiene: what a hostile or broken client sends never reaches SQL as it came.

    limpar(texto)          drop NUL, control characters and lone surrogates; keep tabs and
                           newlines (a CR or CRLF becomes a newline)
    limpar_update(dados)   the same on every string of a raw update, keeping the UTF-16 offsets
                           of its entities right (a command or a mention still parses)
    visivel(texto)         whether a text shows anything at all (not only zero-width or blank
                           characters): titles and names must
    inteiro(texto)         a decimal integer inside PostgreSQL's bigint, or None

The inbox (`bot.entrada`) applies `limpar_update` to every update before a handler sees it or
it is stored: that is the one boundary, so every text the bot stores is already clean. Services
call `visivel` where a text must show something, and `inteiro` for numbers a person types.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

# Categories that show nothing: controls, formats (zero-width space, joiners, BOM), surrogates,
# unassigned/private code points, separators, combining marks standing alone.
_INVISIVEIS = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that render as blank (the usual "invisible name" tricks).
_BRANCOS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")
# Every C0/C1 control except tab and newline, DEL, and lone surrogates.
_SUJEIRA = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CR = re.compile(r"\r\n?")
_INTEIRO = re.compile(r"[+-]?\d{1,19}")
_ENTIDADES = {"text": "entities", "caption": "caption_entities"}


def limpar(texto: str) -> str:
    """`texto` without NUL, control characters or lone surrogates (tabs and newlines stay)."""
    if texto.isprintable():  # the common case: nothing to do, and no copy
        return texto
    return _SUJEIRA.sub("", _CR.sub("\n", texto))


def visivel(texto: str) -> bool:
    """Whether `texto` has at least one character a reader can see."""
    return any(ch not in _BRANCOS and unicodedata.category(ch) not in _INVISIVEIS for ch in texto)


def inteiro(texto: str, *, minimo: int = BIGINT_MIN, maximo: int = BIGINT_MAX) -> int | None:
    """`texto` as an integer in [minimo, maximo] (PostgreSQL's bigint by default), or None."""
    texto = texto.strip()
    if not _INTEIRO.fullmatch(texto):
        return None
    valor = int(texto)
    return valor if minimo <= valor <= maximo else None


def limpar_update(dados: dict[str, Any]) -> dict[str, Any]:
    """The raw update with every string cleaned; the very same object when nothing changed."""
    limpo = _limpar_valor(dados)
    assert isinstance(limpo, dict)
    return limpo


def _limpar_valor(valor: Any) -> Any:
    if isinstance(valor, str):
        return limpar(valor)
    if isinstance(valor, list):
        itens = [_limpar_valor(v) for v in valor]
        return valor if all(a is b for a, b in zip(itens, valor, strict=True)) else itens
    if not isinstance(valor, dict):
        return valor
    novo = {chave: _limpar_valor(v) for chave, v in valor.items()}
    if all(novo[chave] is valor[chave] for chave in valor):
        return valor
    for campo, entidades in _ENTIDADES.items():
        mudou = isinstance(valor.get(campo), str) and novo[campo] is not valor[campo]
        if mudou and isinstance(valor.get(entidades), list):
            novo[entidades] = _deslocar(valor[campo], valor[entidades])
    return novo


def _deslocar(original: str, entidades: list[Any]) -> list[Any]:
    """Entities re-aimed at the cleaned text: offsets count UTF-16 units, as Telegram's do."""
    novo_indice = [0]  # UTF-16 offset in the original -> offset in the cleaned text
    for i, ch in enumerate(original):
        dropped = _SUJEIRA.match(ch) is not None or (ch == "\r" and original[i + 1 : i + 2] == "\n")
        unidades = 2 if ord(ch) > 0xFFFF else 1
        for _ in range(unidades):
            novo_indice.append(novo_indice[-1] + (0 if dropped else 1))
    ultimo = len(novo_indice) - 1
    ajustadas = []
    for entidade in entidades:
        if not isinstance(entidade, dict) or not isinstance(entidade.get("offset"), int):
            ajustadas.append(entidade)
            continue
        inicio = novo_indice[min(entidade["offset"], ultimo)]
        final = novo_indice[min(entidade["offset"] + int(entidade.get("length", 0)), ultimo)]
        if final > inicio:
            ajustadas.append({**entidade, "offset": inicio, "length": final - inicio})
    return ajustadas
