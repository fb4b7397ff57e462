"""The mentor's tools (function calling), always run as the user who asked.

    listar_processos   a page of the user's processos (ProcessoService.listar: scoped in SQL)
    ver_processo       one processo with its latest history, if the user may see it
    buscar_processos   full-text search within what the user sees
    propor_processo    a *proposal* to open a processo: stored, shown with a confirmation
                       button, carried out only when this same user presses it
    propor_lembrete    a *proposal* of a personal reminder, the same way (only when a
                       reminders service is wired in)
    buscar_documentos  the knowledge base (only when one is wired in)

A tool never trusts the model: arguments are parsed and validated here, and anything wrong
(bad JSON, an unknown tool, a processo the user cannot see) comes back as an error *result* the
model can read, never as an exception. Results are JSON data, which the request marks as data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import CogepError
from bot.mentor.contratos import BaseDeConhecimento, Lembretes, Passagem
from bot.processos import ProcessoService
from bot.processos.servico import FILTROS
from bot.render import to_plain
from db.engine import Sessions
from db.models import Processo, ProcessoEvento, Usuario
from db.repositories import mentor as repo

DESCRICAO_NO_RESULTADO = 1500
EVENTOS_NO_RESULTADO = 10
TRECHO_NO_RESULTADO = 1200


@dataclass(frozen=True)
class Proposta:
    """A write the user has to confirm: the action's id and what the button says it does."""

    acao_id: int
    resumo: str


@dataclass
class Resultado:
    """A tool's answer: JSON for the model, plus passages to cite and a proposal to show."""

    conteudo: str
    passagens: list[Passagem] = field(default_factory=list)
    proposta: Proposta | None = None


def _funcao(
    nome: str, descricao: str, propriedades: dict[str, Any], obrigatorias: list[str]
) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": nome,
            "description": descricao,
            "parameters": {
                "type": "object",
                "properties": propriedades,
                "required": obrigatorias,
                "additionalProperties": False,
            },
        },
    }


PROCESSOS = [
    _funcao(
        "listar_processos",
        "Lista os processos que o usuário pode ver (os que pediu ou de que é responsável; "
        "gestores veem todos), 10 por página.",
        {
            "filtro": {"type": "string", "enum": list(FILTROS)},
            "pagina": {"type": "integer", "minimum": 0},
        },
        [],
    ),
    _funcao(
        "ver_processo",
        "Mostra um processo (dados e histórico recente) pelo número, como 2026-0042 ou 42.",
        {"numero": {"type": "string"}},
        ["numero"],
    ),
    _funcao(
        "buscar_processos",
        "Busca processos por palavras no título, descrição, comentários ou contato.",
        {"texto": {"type": "string"}},
        ["texto"],
    ),
    _funcao(
        "propor_processo",
        "Propõe abrir um processo em nome do usuário. Não abre nada: o usuário confirma com "
        "um botão. Prazo em português (ex.: 'sexta 18h'); prioridade baixa, normal, alta ou "
        "urgente.",
        {
            "titulo": {"type": "string"},
            "descricao": {"type": "string"},
            "prazo": {"type": "string"},
            "prioridade": {"type": "string", "enum": ["baixa", "normal", "alta", "urgente"]},
        },
        ["titulo"],
    ),
]
LEMBRETE = _funcao(
    "propor_lembrete",
    "Propõe um lembrete pessoal ao usuário. Não agenda nada: o usuário confirma com um botão. "
    "Quando em português (ex.: 'amanhã 9h', 'em 2 horas'); processo opcional (ex.: 2026-0042).",
    {"quando": {"type": "string"}, "texto": {"type": "string"}, "processo": {"type": "string"}},
    ["quando", "texto"],
)
DOCUMENTOS = _funcao(
    "buscar_documentos",
    "Busca trechos nos documentos da base de conhecimento da equipe.",
    {"consulta": {"type": "string"}},
    ["consulta"],
)


class Ferramentas:
    """Runs the model's tool calls as one user, through the same services as the commands."""

    def __init__(
        self,
        sessions: Sessions,
        processos: ProcessoService,
        conhecimento: BaseDeConhecimento | None,
        lembretes: Lembretes | None = None,
    ) -> None:
        self._sessions = sessions
        self._processos = processos
        self._conhecimento = conhecimento
        self._lembretes = lembretes

    def especificacoes(self) -> list[dict[str, Any]]:
        """The tools offered to the model: only those whose service is wired in."""
        extras = [(DOCUMENTOS, self._conhecimento), (LEMBRETE, self._lembretes)]
        return [*PROCESSOS, *(spec for spec, servico in extras if servico is not None)]

    async def executar(self, usuario: Usuario, nome: str, argumentos: str) -> Resultado:
        """Run one call; every failure is an error result, never an exception."""
        try:
            args = json.loads(argumentos or "{}")
        except ValueError:
            return _erro("argumentos não são um JSON válido")
        if not isinstance(args, dict):
            return _erro("argumentos devem ser um objeto JSON")
        oferecidas = {spec["function"]["name"] for spec in self.especificacoes()}
        metodo = getattr(self, f"_t_{nome}", None)
        if metodo is None or nome not in oferecidas:
            return _erro(f"ferramenta desconhecida: {nome}")
        try:
            resultado: Resultado = await metodo(usuario, args)
        except CogepError as exc:  # NotFound, InvalidInput...: the same words the commands use
            return _erro(to_plain(exc.message) or type(exc).__name__)
        except (TypeError, ValueError, KeyError) as exc:
            return _erro(f"argumentos inválidos: {exc}")
        return resultado

    async def _t_listar_processos(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        filtro = str(args.get("filtro") or "abertos")
        pagina = int(args.get("pagina") or 0)
        page = await self._processos.listar(usuario, filtro=filtro, pagina=pagina)
        zona = ZoneInfo(usuario.fuso_horario)
        return _dados(
            {
                "filtro": page.filtro,
                "pagina": page.pagina,
                "tem_mais": page.tem_mais,
                "processos": [_resumo(p, zona) for p in page.itens],
            }
        )

    async def _t_ver_processo(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        detalhe = await self._processos.detalhe_por_numero(usuario, str(args["numero"]))
        return _dados(processo_como_dados(detalhe.processo, detalhe.eventos, usuario))

    async def _t_buscar_processos(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        achados = await self._processos.buscar(usuario, str(args["texto"]))
        zona = ZoneInfo(usuario.fuso_horario)
        return _dados({"processos": [_resumo(p, zona) for p in achados]})

    async def _t_propor_processo(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        titulo = self._processos.validar_titulo(str(args["titulo"]))
        descricao = args.get("descricao")
        descricao = self._processos.validar_descricao(str(descricao)) if descricao else None
        prioridade = args.get("prioridade")
        prioridade = self._processos.validar_prioridade(str(prioridade)) if prioridade else None
        prazo = str(args["prazo"]) if args.get("prazo") else None
        if prazo is not None:
            self._processos.interpretar_prazo(usuario, prazo)  # refuse a bad date now
        dados = {"titulo": titulo, "descricao": descricao, "prazo": prazo, "prioridade": prioridade}
        async with self._sessions.begin() as session:
            acao = await repo.propor(
                session, usuario_id=usuario.id, tipo="abrir_processo", dados=dados
            )
        return Resultado(
            conteudo=json.dumps(
                {"proposta": "aguardando a confirmação do usuário pelo botão", **dados},
                ensure_ascii=False,
            ),
            proposta=Proposta(acao_id=acao.id, resumo=titulo),
        )

    async def _t_propor_lembrete(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        quando, texto = str(args["quando"]).strip(), str(args["texto"]).strip()
        if not quando or not texto:
            return _erro("quando e texto são obrigatórios")
        processo = str(args["processo"]) if args.get("processo") else None
        dados = {"quando": quando, "texto": texto[:500], "processo": processo}
        async with self._sessions.begin() as session:
            acao = await repo.propor(session, usuario_id=usuario.id, tipo="lembrete", dados=dados)
        return Resultado(
            conteudo=json.dumps(
                {"proposta": "aguardando a confirmação do usuário pelo botão", **dados},
                ensure_ascii=False,
            ),
            proposta=Proposta(acao_id=acao.id, resumo=f"⏰ {texto[:30]} ({quando[:20]})"),
        )

    async def _t_buscar_documentos(self, usuario: Usuario, args: dict[str, Any]) -> Resultado:
        assert self._conhecimento is not None
        passagens = list(await self._conhecimento.buscar(usuario, str(args["consulta"]), limite=5))
        return Resultado(conteudo="", passagens=passagens)  # numbered by the caller


def processo_como_dados(
    processo: Processo, eventos: Sequence[ProcessoEvento], usuario: Usuario
) -> dict[str, Any]:
    """A processo the user may see, as data for the model."""
    zona = ZoneInfo(usuario.fuso_horario)
    dados = _resumo(processo, zona)
    dados["descricao"] = (processo.descricao or "")[:DESCRICAO_NO_RESULTADO]
    dados["contato"] = processo.contato.nome if processo.contato else None
    dados["historico"] = [
        {
            "quando": _quando(e.criado_em, zona),
            "tipo": e.tipo,
            "autor": e.autor.nome if e.autor else None,
            "de": e.de,
            "para": e.para,
            "texto": (e.texto or "")[:400] or None,
        }
        for e in list(eventos)[-EVENTOS_NO_RESULTADO:]
    ]
    return dados


def _resumo(processo: Processo, zona: ZoneInfo) -> dict[str, Any]:
    return {
        "numero": processo.numero,
        "titulo": processo.titulo,
        "status": processo.status,
        "prioridade": processo.prioridade,
        "prazo": _quando(processo.prazo, zona),
        "solicitante": processo.solicitante.nome,
        "responsavel": processo.responsavel.nome if processo.responsavel else None,
    }


def _quando(momento: datetime | None, zona: ZoneInfo) -> str | None:
    return momento.astimezone(zona).isoformat(timespec="minutes") if momento else None


def _dados(valor: dict[str, Any]) -> Resultado:
    return Resultado(conteudo=json.dumps(valor, ensure_ascii=False))


def _erro(mensagem: str) -> Resultado:
    return Resultado(conteudo=json.dumps({"erro": mensagem}, ensure_ascii=False))
