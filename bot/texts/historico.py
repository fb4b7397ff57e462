"""A processo's detail screen and its history: one sentence per kind of event.

`EVENTOS` is the table: each `processo_eventos.tipo` maps to what its line says after the
author's name. A new kind of event is one row here (and one value in `db.models.TIPOS_EVENTO`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.dates import format_when
from bot.render import escape, shorten
from bot.texts.processos import PRIORIDADE_ICONE, STATUS_ICONE, STATUS_NOME, prazo_de

if TYPE_CHECKING:
    from db.models import Processo, ProcessoEvento

__all__ = [
    "EVENTOS",
    "detalhe_processo",
    "historico_completo",
    "linha_evento",
]


@dataclass(frozen=True)
class _Leitura:
    """How an event line is being read: in which zone, when, and whether in full."""

    zona: str
    agora: datetime
    completo: bool


def _status(e: ProcessoEvento, _: _Leitura) -> str:
    de, para = STATUS_NOME.get(e.de or "", e.de), STATUS_NOME.get(e.para or "", e.para)
    return f"mudou o status: {de} → <b>{para}</b>"


def _comentario(e: ProcessoEvento, leitura: _Leitura) -> str:
    texto = e.texto or ""
    verbo = "📣 escreveu para o cliente" if e.para == "cliente" else "comentou"
    return f"{verbo}: <i>{escape(texto if leitura.completo else shorten(texto, 300))}</i>"


def _responsavel(e: ProcessoEvento, _: _Leitura) -> str:
    return f"atribuiu a <b>{escape(e.para)}</b>" if e.para else "deixou o processo sem responsável"


def _prazo(e: ProcessoEvento, leitura: _Leitura) -> str:
    novo = (
        format_when(datetime.fromisoformat(e.para), tz=leitura.zona, now=leitura.agora)
        if e.para
        else "sem prazo"
    )
    if e.texto == "aguardando":  # the clock stood still while the client owed an answer
        return f"o prazo passou para <b>{novo}</b> (o relógio parou enquanto aguardava)"
    return f"mudou o prazo para <b>{novo}</b>"


def _contato(e: ProcessoEvento, _: _Leitura) -> str:
    if e.para:
        return f"vinculou o contato <b>{escape(e.para)}</b>"
    return f"desvinculou o contato <b>{escape(e.de or '—')}</b>"


EVENTOS: dict[str, Callable[[ProcessoEvento, _Leitura], str]] = {
    "criado": lambda e, _: (
        "abriu o processo" + (f" a partir de uma mensagem de <b>{escape(e.de)}</b>" if e.de else "")
    ),
    "status": _status,
    "comentario": _comentario,
    "responsavel": _responsavel,
    "prazo": _prazo,
    "contato": _contato,
    "titulo": lambda e, _: f"mudou o título para <b>{escape(shorten(e.para or '', 120))}</b>",
    "descricao": lambda e, _: "editou a descrição" if e.para else "apagou a descrição",
    "prioridade": lambda e, _: f"mudou a prioridade: {e.de} → <b>{e.para}</b>",
}


def linha_evento(
    evento: ProcessoEvento, *, zona: str, agora: datetime, completo: bool = False
) -> str:
    """`• hoje 09:00 — Ana mudou o status: aberto → em andamento`."""
    quem = escape(evento.autor.nome) if evento.autor else "Cogep"
    quando = format_when(evento.criado_em, tz=zona, now=agora)
    o_que = EVENTOS.get(evento.tipo, EVENTOS["prioridade"])(evento, _Leitura(zona, agora, completo))
    return f"• {quando} — {quem} {o_que}"


def detalhe_processo(
    processo: Processo,
    eventos: list[ProcessoEvento],
    *,
    zona: str,
    agora: datetime,
    total: int = 0,
) -> str:
    """The /processo screen: fields and the latest history."""
    responsavel = escape(processo.responsavel.nome) if processo.responsavel else "ninguém ainda"
    contato = processo.contato
    linha_contato = (
        f"Contato: {escape(contato.nome)}"
        + (f" ({escape(contato.empresa)})" if contato.empresa else "")
        if contato
        else "Contato: —"
    )
    partes = [
        f"{STATUS_ICONE[processo.status]} <b>{processo.numero}</b> — {escape(processo.titulo)}",
        "",
        f"Status: <b>{STATUS_NOME[processo.status]}</b>",
        f"Prioridade: {PRIORIDADE_ICONE[processo.prioridade]} {processo.prioridade}",
        f"Prazo: {prazo_de(processo, zona=zona, agora=agora)}",
        f"Solicitante: {escape(processo.solicitante.nome)}",
        f"Responsável: {responsavel}",
        linha_contato,
    ]
    if processo.descricao:
        partes += ["", escape(processo.descricao)]
    ao_cliente = [e for e in eventos if e.tipo == "comentario" and e.para == "cliente"]
    if ao_cliente:  # shown apart from the team's internal notes
        partes += ["", "📣 <b>Para o cliente</b>"]
        partes += [
            f"• {format_when(e.criado_em, tz=zona, now=agora)}: {escape(shorten(e.texto or '', 300))}"
            for e in ao_cliente[-3:]
        ]
    if eventos:
        partes += ["", "<b>Histórico</b>"]
        if total > len(eventos):
            partes.append(f"<i>… {total - len(eventos)} eventos anteriores em 📜 Histórico</i>")
        partes += [linha_evento(e, zona=zona, agora=agora) for e in eventos]
    return "\n".join(partes)


def historico_completo(
    processo: Processo, eventos: list[ProcessoEvento], *, total: int, zona: str, agora: datetime
) -> str:
    """Every event of a processo, comments in full (long histories span several messages)."""
    cabecalho = f"📜 <b>Histórico de {processo.numero}</b> — {escape(shorten(processo.titulo, 80))}"
    linhas = [linha_evento(e, zona=zona, agora=agora, completo=True) for e in eventos]
    if total > len(eventos):
        linhas.insert(0, f"<i>(os {len(eventos)} eventos mais recentes de {total})</i>")
    return "\n\n".join([cabecalho, "\n".join(linhas)])
