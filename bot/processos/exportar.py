"""/exportar: the processos a user may see as a CSV that opens right in Excel pt-BR and LibreOffice.

Excel in Brazil reads `;` as the separator (`,` is the decimal mark) and needs the UTF-8 byte
order mark to read accents; dates are `dd/mm/aaaa hh:mm` in the user's time zone. A cell that
starts like a formula (`=`, `+`, `-`, `@`) gets a leading apostrophe, so a title typed as
`=HYPERLINK(...)` is shown as text and never run by the spreadsheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import CABECALHO_CSV, STATUS_NOME
from db.repositories.processos import LinhaExportada

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_de(linhas: Iterable[LinhaExportada], *, zona: str) -> bytes:
    """The CSV file's bytes: UTF-8 with BOM, `;`-separated, CRLF line ends."""
    fuso = ZoneInfo(zona)
    saida = io.StringIO()
    escritor = csv.writer(saida, delimiter=";", lineterminator="\r\n")
    escritor.writerow(CABECALHO_CSV)
    for linha in linhas:
        escritor.writerow(
            (
                linha.numero,
                _texto(linha.titulo),
                STATUS_NOME[linha.status],
                linha.prioridade,
                _texto(linha.solicitante),
                _texto(linha.responsavel),
                _texto(linha.contato),
                _data(linha.prazo, fuso),
                _data(linha.criado_em, fuso),
                _data(linha.concluido_em, fuso),
                _texto(linha.descricao),
            )
        )
    return saida.getvalue().encode("utf-8-sig")


def _data(momento: datetime | None, fuso: ZoneInfo) -> str:
    """`dd/mm/aaaa hh:mm` in the user's zone; empty when there is none."""
    return momento.astimezone(fuso).strftime("%d/%m/%Y %H:%M") if momento else ""


def _texto(valor: str | None) -> str:
    """The cell's text, defused when a spreadsheet would take it for a formula."""
    if not valor:
        return ""
    return "'" + valor if valor.startswith(FORMULA) else valor
