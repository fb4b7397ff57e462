"""Exports and reports: /exportar (CSV), /relatorio (chart and numbers), inline mode."""

from __future__ import annotations

from bot.render import escape
from bot.texts.comum import contagem

__all__ = [
    "AJUDA_EXPORTAR",
    "CABECALHO_CSV",
    "USO_EXPORTAR",
    "exportacao_legenda",
    "exportacao_vazia",
]

AJUDA_EXPORTAR = "Baixar seus processos numa planilha (CSV)"
USO_EXPORTAR = "[abertos|atrasados|concluidos|todos]"
CABECALHO_CSV = (
    "Número", "Título", "Status", "Prioridade", "Solicitante", "Responsável", "Contato",
    "Prazo", "Criado em", "Concluído em", "Descrição",
)  # fmt: skip


def exportacao_legenda(quantos: int, filtro: str, *, cortado: bool) -> str:
    """The caption of the CSV sent by /exportar."""
    corte = " (o máximo por arquivo; filtre para ver o resto)" if cortado else ""
    return (
        f"📄 {contagem(quantos, 'processo', 'processos')} ({escape(filtro)}){corte}. "
        "Abre direto no Excel e no LibreOffice."
    )


def exportacao_vazia(filtro: str) -> str:
    """/exportar with nothing to export."""
    return f"Nenhum processo {escape(filtro)} para exportar. Veja outros com /exportar todos."
