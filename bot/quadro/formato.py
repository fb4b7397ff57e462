"""What the board's JSON says about a processo, a reminder or a passage (pt-BR labels included).

Dates travel twice: ISO for the page's logic and already written the way the chat writes them
(`bot.dates.format_when`, in the user's time zone), so the board and the chat never disagree;
history lines are the chat's own sentences (`bot.texts.linha_evento`) as plain text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import texts
from bot.conhecimento.busca import Passagem
from bot.dates import format_when
from bot.processos import Detalhe
from bot.processos.quadro import CONTAGEM_MAX, Cartao, Quadro, atrasado
from bot.processos.regras import TRANSICOES
from bot.render import to_plain
from db.models import Lembrete, Usuario

JSON = dict[str, Any]


def _quando(momento: datetime | None, usuario: Usuario, agora: datetime) -> str | None:
    return format_when(momento, tz=usuario.fuso_horario, now=agora) if momento else None


def eu(usuario: Usuario, *, gestor: bool) -> JSON:
    """Who the page is talking to, and what they may do."""
    return {"id": usuario.id, "nome": usuario.nome, "papel": usuario.papel, "gestor": gestor}


def cartao(processo: Cartao, usuario: Usuario, agora: datetime) -> JSON:
    """A card: number, title, responsável, deadline (late or not), priority."""
    return {
        "id": processo.id,
        "numero": processo.numero,
        "titulo": processo.titulo,
        "status": processo.status,
        "prioridade": processo.prioridade,
        "prioridade_icone": texts.PRIORIDADE_ICONE[processo.prioridade],
        "responsavel": processo.responsavel,
        "prazo": processo.prazo.isoformat() if processo.prazo else None,
        "prazo_texto": _quando(processo.prazo, usuario, agora),
        "atrasado": atrasado(processo, agora),
    }


def quadro(q: Quadro, usuario: Usuario) -> JSON:
    """The columns, in the status machine's order, and the moves a drag may make."""
    return {
        "agora": q.agora.isoformat(),
        "transicoes": TRANSICOES,
        "colunas": [
            {
                "status": c.status,
                "nome": texts.STATUS_NOME[c.status],
                "icone": texts.STATUS_ICONE[c.status],
                "total": min(c.total, CONTAGEM_MAX) if c.total is not None else None,
                "total_mais": c.total is not None and c.total > CONTAGEM_MAX,  # "99+"
                "processos": [cartao(p, usuario, q.agora) for p in c.processos],
            }
            for c in q.colunas
        ],
    }


def detalhe(d: Detalhe, usuario: Usuario, agora: datetime) -> JSON:
    """A processo with its whole history, its comments and its contact."""
    p = d.processo
    contato = p.contato
    return {
        **cartao(Cartao.de(p), usuario, agora),
        "descricao": p.descricao,
        "solicitante": p.solicitante.nome,
        "contato": None
        if contato is None
        else {
            "nome": contato.nome,
            "empresa": contato.empresa,
            "email": contato.email,
            "telefone": contato.telefone,
        },
        "historico": [
            {
                "tipo": e.tipo,
                "em": e.criado_em.isoformat(),
                "texto": to_plain(
                    texts.linha_evento(e, zona=usuario.fuso_horario, agora=agora, completo=True)
                ).removeprefix("• "),
            }
            for e in d.eventos
        ],
        "comentarios": [
            {
                "autor": e.autor.nome if e.autor else "Cogep",
                "texto": e.texto,
                "em": e.criado_em.isoformat(),
                "em_texto": _quando(e.criado_em, usuario, agora),
            }
            for e in d.eventos
            if e.tipo == "comentario"
        ],
        "transicoes": [
            {"para": s, "nome": texts.STATUS_NOME[s], "icone": texts.STATUS_ICONE[s]}
            for s in d.transicoes
        ],
        "pode_atribuir": d.pode_atribuir,
        "versao": d.versao,
        "eventos_total": d.eventos_total,
    }


def lembrete(item: Lembrete, usuario: Usuario, agora: datetime) -> JSON:
    """A reminder: what, when, how often, which processo."""
    return {
        "id": item.id,
        "texto": item.texto,
        "quando": item.quando.isoformat(),
        "quando_texto": _quando(item.quando, usuario, agora),
        "regra": item.regra,
        "numero": item.numero,
    }


def passagem(p: Passagem) -> JSON:
    """A passage of the knowledge base with its citation."""
    return {
        "documento_id": p.documento_id,
        "trecho_id": p.trecho_id,
        "titulo": p.titulo,
        "citacao": p.citacao,
        "texto": p.texto,
    }
