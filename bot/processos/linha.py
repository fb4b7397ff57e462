"""The one-line form of /novo: `Título | prazo sexta 18h | prioridade alta | contato Ana`.

A faulty part (`| prazo |`, `| foo bar`) does not sink the line: it is recorded in `faltas`, the
good parts are kept, and /novo asks again only for what was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import texts
from bot.acentos import sem_acentos
from bot.dates import parse_when
from bot.processos.regras import ler_prioridade

CHAVES = {
    "prazo": "prazo",
    "ate": "prazo",
    "prioridade": "prioridade",
    "descricao": "descricao",
    "desc": "descricao",
    "contato": "contato",
    "cliente": "contato",
}


@dataclass(frozen=True)
class Rascunho:
    """What the user asked for, still as text; the service validates and parses it."""

    titulo: str
    descricao: str | None = None
    prazo: str | None = None
    prioridade: str | None = None
    contato: str | None = None
    contato_id: int | None = None  # chosen with a button in the guided flow
    faltas: tuple[Falta, ...] = ()
    origem: str | None = None  # who wrote the message it was made from (/novo as a reply)


@dataclass(frozen=True)
class Falta:
    """A part of the line that could not be read: the field it named (None: unknown) and why."""

    campo: str | None
    mensagem: str


def interpretar_linha(texto: str) -> Rascunho:
    """Split the line on `|`; the first part is the title, the others are `chave valor`."""
    titulo, *partes = (p.strip() for p in texto.split("|"))
    campos: dict[str, str] = {}
    faltas: list[Falta] = []
    for parte in partes:
        if not parte:
            continue
        chave, valor = _chave_valor(parte)
        campo = CHAVES.get(sem_acentos(chave.lower()))
        if campo is None:  # `| urgente`, `| sexta 18h`: a field people leave unnamed
            campo, valor = _campo_implicito(parte, campos)
        if campo is None:
            faltas.append(Falta(None, texts.linha_chave_desconhecida(chave)))
        elif not valor:
            faltas.append(Falta(campo, texts.linha_valor_vazio(chave)))
        else:
            campos[campo] = valor
    return Rascunho(
        titulo=titulo,
        descricao=campos.get("descricao"),
        prazo=campos.get("prazo"),
        prioridade=campos.get("prioridade"),
        contato=campos.get("contato"),
        faltas=tuple(faltas),
    )


def _campo_implicito(parte: str, campos: dict[str, str]) -> tuple[str | None, str]:
    """A priority word is the prioridade; something that reads as a date is the prazo."""
    if "prioridade" not in campos and ler_prioridade(parte) is not None:
        return "prioridade", parte.strip()
    agora = datetime.now(UTC)  # only "is it a date?"; the service reads it in the user's zone
    if "prazo" not in campos and parse_when(parte, now=agora, tz="UTC") is not None:
        return "prazo", parte.strip()
    return None, parte


CHAVE = re.compile(r"^\s*(?P<chave>[^\s:]+)\s*:?\s*(?P<valor>.*)$", re.DOTALL)


def _chave_valor(parte: str) -> tuple[str, str]:
    """`prazo: sexta 18h` and `prazo sexta 18h` both give ('prazo', 'sexta 18h').

    Only a colon right after the key is the separator: `prazo 30/11 14:00` keeps its time.
    """
    match = CHAVE.match(parte)
    if match is None:  # nothing but colons: no key, so an unknown field
        return parte, ""
    return match["chave"], match["valor"].strip()
