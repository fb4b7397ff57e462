"""The rules of a processo: its status machine, priorities, numbers and who may do what.

aberto -> em_andamento <-> aguardando -> concluido
em_andamento -> concluido;  any open status -> cancelado;  concluido -> em_andamento (reopen)
"""

from __future__ import annotations

import re
from typing import Final

from bot.acentos import sem_acentos
from db.models import ABERTOS, PRIORIDADES, Usuario
from db.repositories.usuarios import gerencia  # the rule's home; bot.usuarios would be a cycle

__all__ = [  # ABERTOS and PRIORIDADES are facts of the schema (db.models), repeated here for use
    "ABERTOS",
    "CODIGO_STATUS",
    "NUMERO",
    "PRIORIDADES",
    "STATUS_CODIGO",
    "TRANSICOES",
    "formatar_numero",
    "ler_numero",
    "ler_prioridade",
    "para_o_cliente",
    "pode_atribuir",
    "pode_cancelar",
    "pode_transitar",
]

TRANSICOES: Final[dict[str, tuple[str, ...]]] = {
    "aberto": ("em_andamento", "cancelado"),
    "em_andamento": ("aguardando", "concluido", "cancelado"),
    "aguardando": ("em_andamento", "concluido", "cancelado"),
    "concluido": ("em_andamento",),
    "cancelado": (),
}

# One letter per status keeps callback data short and stable across renames of the labels.
STATUS_CODIGO: Final = {
    "aberto": "a",
    "em_andamento": "e",
    "aguardando": "g",
    "concluido": "c",
    "cancelado": "x",
}
CODIGO_STATUS: Final = {v: k for k, v in STATUS_CODIGO.items()}

NUMERO = re.compile(r"^#?\s*(?:(?P<ano>\d{4})\s*[-/.]\s*)?(?P<seq>\d{1,9})$")


def pode_transitar(de: str, para: str) -> bool:
    """Whether the status machine allows `de -> para`."""
    return para in TRANSICOES.get(de, ())


def pode_cancelar(usuario: Usuario, solicitante_id: int) -> bool:
    """Cancelling drops the request itself: its solicitante or a gestor decides, not the
    responsável (who can still conclude it or put it on hold)."""
    return gerencia(usuario) or usuario.id == solicitante_id


def pode_atribuir(usuario: Usuario, *, atual: int | None, para: int | None) -> bool:
    """Gestores assign anyone; anyone else may only take, for themselves, a processo (that they
    see) nobody owns: "Iniciar" offers it to whoever starts one."""
    return gerencia(usuario) or (atual is None and para == usuario.id)


PARA_CLIENTE: Final = "cliente"  # `para` of a comment event recorded as client-facing
MARCAS_CLIENTE = re.compile(r"^\s*(?:para\s+o\s+cliente|cliente)\s*:\s*", re.IGNORECASE)


def para_o_cliente(texto: str) -> tuple[bool, str]:
    """Comments are internal; one that starts with `cliente:` (or `para o cliente:`) is meant
    for the client: (True, the text without the mark)."""
    marca = MARCAS_CLIENTE.match(texto)
    return (True, texto[marca.end() :]) if marca else (False, texto)


def formatar_numero(ano: int, sequencia: int) -> str:
    """`2026-0042`: year and a zero-padded, never truncated, sequence."""
    return f"{ano}-{sequencia:04d}"


def ler_numero(texto: str) -> tuple[int | None, int] | None:
    """`2026-0042`, `#42` or `42` -> (year or None, sequence); None when it is not a number."""
    match = NUMERO.match(texto.strip())
    if match is None or int(match["seq"]) == 0:
        return None
    return (int(match["ano"]) if match["ano"] else None), int(match["seq"])


def ler_prioridade(texto: str) -> str | None:
    """`Alta`, `URGENTE`, `média` -> the canonical priority, or None."""
    palavra = sem_acentos(texto.strip().lower())
    sinonimos = {"media": "normal", "normal": "normal", "baixa": "baixa", "alta": "alta",
                 "urgente": "urgente", "critica": "urgente"}  # fmt: skip
    return sinonimos.get(palavra)
