"""Blocks into chunks (`trechos`) sized for search and for a model's context.

A chunk gathers consecutive paragraphs of one section up to `ALVO` characters; a new heading
path always starts a new chunk, so every chunk cites one place ("Manual › Rollback, p. 4").
Consecutive chunks of a section share `SOBREPOSICAO` characters (the end of the previous one, cut
at a sentence or word boundary), so a sentence split across two chunks is still found whole.
A paragraph longer than `MAXIMO` is cut at sentence ends, then at spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.conhecimento.extracao import Bloco

ALVO = 1000
MAXIMO = 1600
SOBREPOSICAO = 150
SEPARADOR_SECAO = " › "
_FIM_DE_FRASE = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class Fatia:
    """One chunk, as stored in `trechos`."""

    posicao: int
    texto: str
    secao: str | None
    pagina: int | None


def fatiar(blocos: Iterable[Bloco]) -> list[Fatia]:
    """Chunks of the blocks, in document order."""
    fatias: list[Fatia] = []
    atual: list[str] = []
    tamanho = 0
    chave: tuple[tuple[str, ...], int | None] | None = None
    pagina: int | None = None

    def fechar(*, sobrepor: bool) -> None:
        nonlocal tamanho
        if not atual:
            return
        texto = " ".join(atual)
        secao = SEPARADOR_SECAO.join(chave[0]) if chave and chave[0] else None
        fatias.append(Fatia(len(fatias), texto, secao, pagina))
        atual.clear()
        tamanho = 0
        if sobrepor:
            resto = _cauda(texto, SOBREPOSICAO)
            if resto:
                atual.append(resto)
                tamanho = len(resto)

    for bloco in blocos:
        for pedaco in _partes(bloco.texto):
            if chave is None or bloco.secao != chave[0]:
                fechar(sobrepor=False)
                chave = (bloco.secao, bloco.pagina)
                pagina = bloco.pagina
            elif tamanho + len(pedaco) > ALVO and tamanho > SOBREPOSICAO:
                fechar(sobrepor=True)
                pagina = bloco.pagina if not atual else pagina
            if not atual:
                pagina = bloco.pagina
            atual.append(pedaco)
            tamanho += len(pedaco) + 1
    fechar(sobrepor=False)
    return fatias


def _partes(texto: str) -> Iterator[str]:
    """The paragraph itself, or pieces of at most MAXIMO characters cut at sentence ends."""
    if len(texto) <= MAXIMO:
        yield texto
        return
    atual = ""
    for frase in _FIM_DE_FRASE.split(texto):
        while len(frase) > MAXIMO:  # one endless sentence: cut at the last space that fits
            corte = frase.rfind(" ", 0, MAXIMO)
            corte = corte if corte > MAXIMO // 2 else MAXIMO
            if atual:
                yield atual
                atual = ""
            yield frase[:corte].strip()
            frase = frase[corte:].strip()
        if atual and len(atual) + len(frase) + 1 > ALVO:
            yield atual
            atual = frase
        else:
            atual = f"{atual} {frase}" if atual else frase
    if atual:
        yield atual


def _cauda(texto: str, largura: int) -> str:
    """The last ~`largura` characters of `texto`, starting at a sentence or word boundary."""
    if len(texto) <= largura:
        return ""
    cauda = texto[-largura:]
    frase = _FIM_DE_FRASE.search(cauda)
    if frase and frase.end() < len(cauda) - 20:
        return cauda[frase.end() :]
    espaco = cauda.find(" ")
    return cauda[espaco + 1 :] if espaco >= 0 else cauda
