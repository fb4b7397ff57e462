"""Sentences shared by every feature: errors, expired buttons, generic button labels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = [
    "BANCO_INDISPONIVEL",
    "BOTAO_ANTERIOR",
    "BOTAO_EDITAR",
    "BOTAO_EXPIRADO",
    "BOTAO_PROXIMA",
    "BOTAO_VOLTAR",
    "ERRO_INTERNO",
    "ano_que_vem",
    "contagem",
    "texto_longo",
]

ERRO_INTERNO = (
    "Desculpe, algo deu errado do meu lado e sua última ação pode não ter sido concluída. "
    "Já registrei o problema; tente de novo em instantes."
)
BANCO_INDISPONIVEL = (
    "O banco de dados está indisponível no momento. Nada foi alterado; tente de novo em "
    "alguns instantes."
)
BOTAO_EXPIRADO = "Esse botão não vale mais. Mostrei o estado atual."
BOTAO_EDITAR = "✏️ Editar"
BOTAO_VOLTAR = "↩️ Voltar"
BOTAO_ANTERIOR = "◀"
BOTAO_PROXIMA = "▶"


def texto_longo(tamanho: int, maximo: int) -> str:
    """A text field over the limit."""
    return f"Texto longo demais: {tamanho} caracteres (máximo {maximo})."


def ano_que_vem(quando: datetime, *, zona: str, agora: datetime) -> str:
    """A note for a confirmation whose date falls next year (a far dd/mm rolled over)."""
    fuso = ZoneInfo(zona)
    depois = quando.astimezone(fuso).year == agora.astimezone(fuso).year + 1
    return " <i>(no ano que vem)</i>" if depois else ""


def contagem(n: int, um: str, varios: str) -> str:
    """`1 enviado`, `2 enviados`: the count with the word that agrees with it."""
    return f"{n} {um if n == 1 else varios}"
