"""/relatorio's chart: one PNG with three panels, drawn offline by matplotlib's Agg backend.

The object API (`Figure`, no `pyplot`) keeps no global state, so a chart can be drawn in a
worker thread while the bot serves others; nothing is fetched (fonts are matplotlib's own).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot import texts

CORES = {"abertos": "#4C72B0", "concluidos": "#55A868", "atrasados": "#C44E52"}


def desenhar(
    *,
    titulo: str,
    semanas: Sequence[datetime],
    abertos: Sequence[int],
    concluidos: Sequence[int],
    por_status: dict[str, int],
    atrasados: Sequence[tuple[str, int]],
) -> bytes:
    """The PNG: opened vs concluded per week, open ones by status, overdue by responsável."""
    # Margins set by hand: the constrained layout doubled the drawing time (~0.4 -> 0.8 s).
    figura = Figure(figsize=(9, 8.5), dpi=100)
    FigureCanvasAgg(figura)
    figura.subplots_adjust(left=0.07, right=0.97, top=0.91, bottom=0.06, hspace=0.3, wspace=0.5)
    figura.suptitle(titulo, fontsize=14, fontweight="bold")
    grade = figura.add_gridspec(2, 2, height_ratios=(1.1, 1))
    semanal, status, atraso = (
        figura.add_subplot(grade[0, :]),
        figura.add_subplot(grade[1, 0]),
        figura.add_subplot(grade[1, 1]),
    )

    posicoes = range(len(semanas))
    largura = 0.4
    semanal.bar([p - largura / 2 for p in posicoes], abertos, largura,
                label=texts.GRAFICO_ABERTOS, color=CORES["abertos"])  # fmt: skip
    semanal.bar([p + largura / 2 for p in posicoes], concluidos, largura,
                label=texts.GRAFICO_CONCLUIDOS, color=CORES["concluidos"])  # fmt: skip
    semanal.set_xticks(list(posicoes), [f"{s:%d/%m}" for s in semanas])
    semanal.set_title(texts.GRAFICO_POR_SEMANA, loc="left")
    semanal.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False)
    semanal.yaxis.set_major_locator(MaxNLocator(integer=True))

    nomes = [texts.STATUS_NOME[s] for s in por_status]
    status.bar(nomes, list(por_status.values()), color=CORES["abertos"])
    status.set_title(texts.GRAFICO_POR_STATUS)
    status.yaxis.set_major_locator(MaxNLocator(integer=True))

    if atrasados:
        quem = [nome[:18] for nome, _ in reversed(atrasados)]
        atraso.barh(quem, [n for _, n in reversed(atrasados)], color=CORES["atrasados"])
        atraso.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        atraso.text(0.5, 0.5, texts.GRAFICO_SEM_ATRASO, ha="center", va="center")
        atraso.set_axis_off()
    atraso.set_title(texts.GRAFICO_ATRASADOS)

    saida = io.BytesIO()
    figura.savefig(saida, format="png")
    return saida.getvalue()
