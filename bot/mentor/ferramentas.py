"""The mentor's tools (function calling), always run as the user who asked.

    listar_processos   a page of the user's processos (ProcessoService.listar: scoped in SQL)
    ver_processo       one processo with its latest history, if the user may see it
    buscar_processos   full-text search within what the user sees
    propor_processo    a *proposal* to open a processo: stored, shown with a confirmation
                       button, carried out only when this same user presses it
    propor_lembrete    a *proposal* of a personal reminder, the same way (only when a
                       reminders service is wired in)
    buscar_documentos  the knowledge base (only when one is wired in)

Each tool is a `Ferramenta` (name, description, JSON schema, the method that runs it, and
whether it may run in a group); `Ferramentas` holds those whose service is wired in, by name.

In a group everyone reads the answer, so only what every member may see is offered there: the
processo tools are off (a gestor's `listar_processos` would show a membro's processos to all)
and documents are searched team-wide only (`so_da_equipe`), whoever asks.

A tool never trusts the model: arguments are parsed and validated here (pages clamped, a
reminder's time checked when it is proposed), and anything wrong (bad JSON, an unknown tool, a
processo the user cannot see, a fault of the tool itself) comes back as an error *result* the
model can read, never as an exception that would abort the answer. Results are JSON data,
which the request marks as data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import CogepError, explicavel
from bot.mentor.contratos import BaseDeConhecimento, Lembretes, Passagem
from bot.processos import ProcessoService
from bot.processos.servico import FILTROS
from bot.render import to_plain
from db.engine import Sessions
from db.models import Processo, ProcessoEvento, Usuario
from db.repositories import mentor as repo

log = logging.getLogger("cogep.mentor.ferramentas")

DESCRICAO_NO_RESULTADO = 1500
PAGINA_MAX = 1000  # 10,000 processos deep: more than any team has, far from an overflow
EVENTOS_NO_RESULTADO = 10


@dataclass(frozen=True)
class Proposta:
    """A write the user has to confirm: the action's id and what the button says it does."""

    acao_id: int
    resumo: str


@dataclass(frozen=True)
class Chamador:
    """Who a tool runs for, and whether a group reads the answer."""

    usuario: Usuario
    grupo: bool = False


@dataclass
class RespostaDaFerramenta:
    """A tool's answer: JSON for the model, plus passages to cite and a proposal to show."""

    conteudo: str
    passagens: list[Passagem] = field(default_factory=list)
    proposta: Proposta | None = None


Metodo = Callable[[Chamador, dict[str, Any]], Awaitable[RespostaDaFerramenta]]


@dataclass(frozen=True)
class Ferramenta:
    """One tool: what the model is told about it, and the method that runs it."""

    nome: str
    descricao: str
    propriedades: dict[str, Any]
    obrigatorias: tuple[str, ...]
    metodo: Metodo
    em_grupo: bool  # whether what it shows is something every member of a group may see

    def especificacao(self) -> dict[str, Any]:
        """The tool as the chat-completions API describes a function."""
        return {
            "type": "function",
            "function": {
                "name": self.nome,
                "description": self.descricao,
                "parameters": {
                    "type": "object",
                    "properties": self.propriedades,
                    "required": list(self.obrigatorias),
                    "additionalProperties": False,
                },
            },
        }


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
        registro = [
            Ferramenta(
                "listar_processos",
                "Lista os processos que o usuário pode ver (os que pediu ou de que é "
                "responsável; gestores veem todos), 10 por página.",
                {
                    "filtro": {"type": "string", "enum": list(FILTROS)},
                    "pagina": {"type": "integer", "minimum": 0, "maximum": PAGINA_MAX},
                },
                (),
                self._listar_processos,
                em_grupo=False,
            ),
            Ferramenta(
                "ver_processo",
                "Mostra um processo (dados e histórico recente) pelo número, como 2026-0042 ou 42.",
                {"numero": {"type": "string"}},
                ("numero",),
                self._ver_processo,
                em_grupo=False,
            ),
            Ferramenta(
                "buscar_processos",
                "Busca processos por palavras no título, descrição, comentários ou contato.",
                {"texto": {"type": "string"}},
                ("texto",),
                self._buscar_processos,
                em_grupo=False,
            ),
            Ferramenta(
                "propor_processo",
                "Propõe abrir um processo em nome do usuário. Não abre nada: o usuário "
                "confirma com um botão. Prazo em português (ex.: 'sexta 18h'); prioridade "
                "baixa, normal, alta ou urgente.",
                {
                    "titulo": {"type": "string"},
                    "descricao": {"type": "string"},
                    "prazo": {"type": "string"},
                    "prioridade": {
                        "type": "string",
                        "enum": ["baixa", "normal", "alta", "urgente"],
                    },
                },
                ("titulo",),
                self._propor_processo,
                em_grupo=False,
            ),
        ]
        if conhecimento is not None:
            registro.append(
                Ferramenta(
                    "buscar_documentos",
                    "Busca trechos nos documentos da base de conhecimento da equipe.",
                    {"consulta": {"type": "string"}},
                    ("consulta",),
                    self._buscar_documentos,
                    em_grupo=True,  # team-wide documents only, there
                )
            )
        if lembretes is not None:
            registro.append(
                Ferramenta(
                    "propor_lembrete",
                    "Propõe um lembrete pessoal ao usuário. Não agenda nada: o usuário confirma "
                    "com um botão. Quando em português (ex.: 'amanhã 9h', 'em 2 horas'); "
                    "processo opcional (ex.: 2026-0042).",
                    {
                        "quando": {"type": "string"},
                        "texto": {"type": "string"},
                        "processo": {"type": "string"},
                    },
                    ("quando", "texto"),
                    self._propor_lembrete,
                    em_grupo=True,  # it shows only what the model wrote; the reminder is private
                )
            )
        self._registro = {f.nome: f for f in registro}

    def disponiveis(self, *, grupo: bool) -> list[Ferramenta]:
        """The tools offered for a question: in a group, only those safe for every member."""
        return [f for f in self._registro.values() if f.em_grupo or not grupo]

    def especificacoes(self, *, grupo: bool = False) -> list[dict[str, Any]]:
        """The tools offered to the model, as the API describes them."""
        return [f.especificacao() for f in self.disponiveis(grupo=grupo)]

    async def executar(
        self, chamador: Chamador, nome: str, argumentos: str
    ) -> RespostaDaFerramenta:
        """Run one call; every failure is an error result, never an exception."""
        try:
            args = json.loads(argumentos or "{}")
        except ValueError:
            return _erro("argumentos não são um JSON válido")
        if not isinstance(args, dict):
            return _erro("argumentos devem ser um objeto JSON")
        ferramenta = self._registro.get(nome)
        if ferramenta is None or not (ferramenta.em_grupo or not chamador.grupo):
            return _erro(f"ferramenta desconhecida: {nome}")
        try:
            return await ferramenta.metodo(chamador, args)
        except CogepError as exc:  # NotFound, InvalidInput...: the same words the commands use
            if not explicavel(exc):
                return _falhou(nome)
            return _erro(to_plain(exc.message) or type(exc).__name__)
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            return _erro(f"argumentos inválidos: {exc}")
        except Exception:  # a fault of the tool must not abort the answer; the model is told
            return _falhou(nome)

    async def _listar_processos(
        self, chamador: Chamador, args: dict[str, Any]
    ) -> RespostaDaFerramenta:
        usuario = chamador.usuario
        filtro = str(args.get("filtro") or "abertos")
        pagina = _inteiro(args.get("pagina"), minimo=0, maximo=PAGINA_MAX)
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

    async def _ver_processo(self, chamador: Chamador, args: dict[str, Any]) -> RespostaDaFerramenta:
        usuario = chamador.usuario
        detalhe = await self._processos.detalhe_por_numero(usuario, str(args["numero"]))
        return _dados(processo_como_dados(detalhe.processo, detalhe.eventos, usuario))

    async def _buscar_processos(
        self, chamador: Chamador, args: dict[str, Any]
    ) -> RespostaDaFerramenta:
        achados = await self._processos.buscar(chamador.usuario, str(args["texto"]))
        zona = ZoneInfo(chamador.usuario.fuso_horario)
        return _dados({"processos": [_resumo(p, zona) for p in achados]})

    async def _propor_processo(
        self, chamador: Chamador, args: dict[str, Any]
    ) -> RespostaDaFerramenta:
        usuario = chamador.usuario
        titulo = self._processos.validar_titulo(str(args["titulo"]))
        descricao = args.get("descricao")
        descricao = self._processos.validar_descricao(str(descricao)) if descricao else None
        prioridade = args.get("prioridade")
        prioridade = self._processos.validar_prioridade(str(prioridade)) if prioridade else None
        prazo = str(args["prazo"]) if args.get("prazo") else None
        if prazo is not None:
            self._processos.interpretar_prazo(usuario, prazo)  # refuse a bad date now
        dados = {"titulo": titulo, "descricao": descricao, "prazo": prazo, "prioridade": prioridade}
        return await self._propor(usuario, "abrir_processo", dados, resumo=titulo)

    async def _propor_lembrete(
        self, chamador: Chamador, args: dict[str, Any]
    ) -> RespostaDaFerramenta:
        assert self._lembretes is not None
        quando, texto = str(args["quando"]).strip(), str(args["texto"]).strip()
        if not quando or not texto:
            return _erro("quando e texto são obrigatórios")
        self._lembretes.validar_quando(chamador.usuario, quando)  # a past time is refused now
        processo = str(args["processo"]) if args.get("processo") else None
        dados = {"quando": quando, "texto": texto[:500], "processo": processo}
        resumo = f"⏰ {texto[:30]} ({quando[:20]})"
        return await self._propor(chamador.usuario, "lembrete", dados, resumo=resumo)

    async def _propor(
        self, usuario: Usuario, tipo: str, dados: dict[str, Any], *, resumo: str
    ) -> RespostaDaFerramenta:
        """Store a proposal; the model is told it waits for the user's button."""
        async with self._sessions.begin() as session:
            acao = await repo.propor(session, usuario_id=usuario.id, tipo=tipo, dados=dados)
        return RespostaDaFerramenta(
            conteudo=json.dumps(
                {"proposta": "aguardando a confirmação do usuário pelo botão", **dados},
                ensure_ascii=False,
            ),
            proposta=Proposta(acao_id=acao.id, resumo=resumo),
        )

    async def _buscar_documentos(
        self, chamador: Chamador, args: dict[str, Any]
    ) -> RespostaDaFerramenta:
        assert self._conhecimento is not None
        passagens = await self._conhecimento.buscar(
            chamador.usuario, str(args["consulta"]), limite=5, so_da_equipe=chamador.grupo
        )
        return RespostaDaFerramenta(
            conteudo="", passagens=list(passagens)
        )  # numbered by the caller


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


def _inteiro(valor: Any, *, minimo: int, maximo: int) -> int:
    """A number from the model, within bounds (1e18, "3" and None all become something sane)."""
    try:
        numero = int(float(valor or 0))
    except (TypeError, ValueError, OverflowError):
        numero = minimo
    return max(minimo, min(numero, maximo))


def _dados(valor: dict[str, Any]) -> RespostaDaFerramenta:
    return RespostaDaFerramenta(conteudo=json.dumps(valor, ensure_ascii=False))


def _erro(mensagem: str) -> RespostaDaFerramenta:
    return RespostaDaFerramenta(conteudo=json.dumps({"erro": mensagem}, ensure_ascii=False))


def _falhou(nome: str) -> RespostaDaFerramenta:
    """A fault of the tool (a bug): logged, and the model is told, so the answer goes on."""
    log.exception("mentor tool %s failed", nome)
    return _erro("a ferramenta falhou; tente outra abordagem")
