"""Processos: the team's work items, their status machine and history.

    regras    status machine, priorities, numbers (2026-0042), who may do what
    linha     the one-line form of /novo (`Título | prazo sexta 18h | prioridade alta`)
    exportar  /exportar's CSV (`;`, UTF-8 with BOM, dd/mm/aaaa hh:mm, formulas defused)
    relatorio RelatorioService: /relatorio's numbers (queries in `db.repositories.relatorios`)
    grafico   /relatorio's PNG, drawn offline by matplotlib (Agg, no pyplot) in a worker thread
    servico   ProcessoService: open, list, search, show, and every change with its event
    quadro    the board's shape (columns by status, filters) that `ProcessoService.quadro` fills

A new rule goes in `regras`; a new change is a `ProcessoService` method that locks the row,
writes the change and its `processo_eventos` row in one transaction and tells the people
involved after commit (its sentence in `bot/texts/historico.py` `EVENTOS`); queries live in
`db.repositories.processos`, always scoped by `visivel_para`.
"""

from bot.processos.linha import Rascunho, interpretar_linha
from bot.processos.servico import Detalhe, Pagina, ProcessoService

__all__ = ["Detalhe", "Pagina", "ProcessoService", "Rascunho", "interpretar_linha"]
