"""Exports and reports: /exportar (CSV), /relatorio (chart and numbers), inline mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.render import escape
from bot.texts.comum import contagem
from bot.texts.processos import NINGUEM, STATUS_ICONE, STATUS_NOME, prazo_de

if TYPE_CHECKING:
    from datetime import datetime

    from db.models import Processo
    from db.repositories.relatorios import PorResponsavel, Totais

__all__ = [
    "AJUDA_EXPORTAR",
    "AJUDA_RELATORIO",
    "CABECALHO_CSV",
    "GRAFICO_ABERTOS",
    "GRAFICO_ATRASADOS",
    "GRAFICO_CONCLUIDOS",
    "GRAFICO_POR_SEMANA",
    "GRAFICO_POR_STATUS",
    "GRAFICO_SEM_ATRASO",
    "INLINE_ABRIR",
    "INLINE_ABRIR_PROCESSO",
    "USO_EXPORTAR",
    "USO_RELATORIO",
    "duracao",
    "exportacao_legenda",
    "exportacao_vazia",
    "inline_cartao",
    "inline_descricao",
    "periodo_desconhecido",
    "relatorio",
    "titulo_relatorio",
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


# -- /relatorio ----------------------------------------------------------------------------------
AJUDA_RELATORIO = "Gráfico e números da semana ou do mês (os seus, ou os da equipe para gestores)"
USO_RELATORIO = "[semana|mes]"
GRAFICO_ABERTOS = "abertos"
GRAFICO_CONCLUIDOS = "concluídos"
GRAFICO_POR_SEMANA = "Abertos e concluídos por semana"
GRAFICO_POR_STATUS = "Em aberto, por status"
GRAFICO_ATRASADOS = "Atrasados, por responsável"
GRAFICO_SEM_ATRASO = "Nenhum atrasado"  # drawn: DejaVu Sans has no emoji
_PERIODO = {"semana": "dos últimos 7 dias", "mes": "dos últimos 30 dias"}


def periodo_desconhecido(pedido: str) -> str:
    """/relatorio with a period it does not know."""
    return (
        f"Não conheço o período <b>{escape(pedido[:30])}</b>. Use <code>/relatorio semana</code> "
        "ou <code>/relatorio mes</code>."
    )


def titulo_relatorio(periodo: str, *, equipe: bool, nome: str) -> str:
    """The chart's title (plain text: it is drawn, not sent as HTML)."""
    de_quem = "Equipe" if equipe else nome
    return f"{de_quem} — relatório {'semanal' if periodo == 'semana' else 'mensal'}"


def duracao(segundos: float | None) -> str:
    """`45 min`, `3 h 20 min`, `4 dias e 2 h`; `—` when there is nothing to measure."""
    if segundos is None:
        return "—"
    minutos = round(segundos / 60)
    if minutos < 60:
        return f"{minutos} min"
    horas, minutos = divmod(minutos, 60)
    if horas < 48:
        return f"{horas} h {minutos:02d} min" if minutos else f"{horas} h"
    dias, horas = divmod(horas, 24)
    return f"{dias} dias e {horas} h" if horas else f"{dias} dias"


def relatorio(
    periodo: str,
    totais: Totais,
    primeira_resposta: float | None,
    pessoas: Sequence[PorResponsavel],
    *,
    equipe: bool,
    nome: str,
) -> str:
    """/relatorio's text, under the chart."""
    de_quem = "da equipe" if equipe else f"de {escape(nome)} (os processos que você abriu ou cuida)"
    em_aberto = " · ".join(f"{n} {STATUS_NOME[s]}" for s, n in totais.por_status.items())
    linhas = [
        f"📊 <b>Relatório {_PERIODO[periodo]}</b>, {de_quem}",
        "",
        f"Abertos: <b>{totais.abertos}</b> · Concluídos: <b>{totais.concluidos}</b> · "
        f"Atrasados agora: <b>{totais.atrasados}</b>",
        f"Em aberto: {em_aberto}",
        f"Primeira resposta (mediana): {duracao(primeira_resposta)} · "
        f"Resolução (mediana): {duracao(totais.resolucao_mediana)}",
    ]
    if pessoas:
        linhas += ["", "<b>Por responsável</b>"]
        for p in pessoas:
            atraso = f" ({contagem(p.atrasados, 'atrasado', 'atrasados')})" if p.atrasados else ""
            linhas.append(
                f"• {escape(p.nome or NINGUEM)}: {p.abertos} em aberto{atraso} · "
                f"{contagem(p.concluidos, 'concluído', 'concluídos')}"
            )
    return "\n".join(linhas)


# -- inline mode (@bot texto) --------------------------------------------------------------------
INLINE_ABRIR = "Abrir o Cogep"
INLINE_ABRIR_PROCESSO = "Abrir no Cogep"


def inline_descricao(processo: Processo, *, zona: str, agora: datetime) -> str:
    """A result's second line: status and prazo (plain text)."""
    prazo = prazo_de(processo, zona=zona, agora=agora).replace("<b>", "").replace("</b>", "")
    return f"{STATUS_NOME[processo.status]} · {prazo}"


def inline_cartao(processo: Processo, *, zona: str, agora: datetime) -> str:
    """The short card a chosen result posts in the chat."""
    return (
        f"{STATUS_ICONE[processo.status]} <b>{processo.numero}</b> {escape(processo.titulo)}\n"
        f"{STATUS_NOME[processo.status]} · {prazo_de(processo, zona=zona, agora=agora)}"
    )
