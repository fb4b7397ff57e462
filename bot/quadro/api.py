"""The board's JSON API under `/app/api/`: the chat's services, reached over HTTP.

Two guards, as in the chat (`handlers.common.registered` and `on_error`):

    _erros      middleware: a `CogepError` becomes its HTTP status and its pt-BR sentence as
                plain text (`{"erro": ...}`), a database outage 503, anything else 500 after
                a log line
    registrado  every route: `Authorization: tma <initData>` verified (`bot.quadro.initdata`):
                missing, tampered, stale or signed for another bot -> 401; a Telegram user who
                is not a registered usuario with access -> 403; otherwise the route runs with
                the services and the caller's row

Handlers call the same service methods as the chat's handlers (`bot.services.Services`), so a
change made here leaves the same history, checks the same papel rules and writes the same
notices; nothing here touches the database directly.

    GET    api/eu                         who is calling
    GET    api/processos?meus&atrasados&responsavel&q    the board's columns
    GET    api/processos/{id}             detail: history, comments, contact, legal moves
    POST   api/processos/{id}/status      {"para", "versao"?, "confirmado"?}
    POST   api/processos/{id}/comentarios {"texto"}
    POST   api/processos/{id}/responsavel {"responsavel_id": int | null}
    POST   api/processos/{id}/prazo       {"prazo": "sexta 18h" | "sem prazo"}
    GET    api/responsaveis               whom a gestor may assign
    GET    api/lembretes                  the caller's reminders
    POST   api/lembretes                  {"texto": "amanhã 9h ligar para o cliente"}
    DELETE api/lembretes/{id}
    GET    api/conhecimento?q=            knowledge-base passages with citations
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot import texts
from bot.database import is_outage
from bot.errors import (
    CogepError,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotFound,
    StaleState,
    explicavel,
)
from bot.processos.quadro import Filtros
from bot.quadro import formato
from bot.quadro.initdata import InitDataInvalida, verificar
from bot.render import to_plain
from bot.services import Services
from bot.usuarios import motivo_sem_acesso
from bot.usuarios.regras import gerencia
from db.models import STATUS, Usuario

log = logging.getLogger("cogep.quadro")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ID = r"{id:\d{1,15}}"  # larger numbers name nothing, and would overflow bigint


@dataclass(frozen=True)
class Estado:
    """What the board needs from the bot: its services, its token (to check initData) and a
    clock (to judge initData's age)."""

    services: Services
    token: str
    agora: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


ESTADO = web.AppKey("estado", Estado)
_DUMPS = functools.partial(json.dumps, ensure_ascii=False)
STATUS_HTTP: dict[type[CogepError], int] = {
    InvalidInput: 400,
    NotFound: 404,
    NotAllowed: 403,
    IllegalTransition: 409,
    StaleState: 409,
}


def _json(dados: object, *, status: int = 200) -> web.Response:
    """JSON with pt-BR text as UTF-8, not \\u escapes."""
    return web.json_response(dados, status=status, dumps=_DUMPS)


def _resposta_de_erro(status: int, mensagem: str) -> web.Response:
    return _json({"erro": to_plain(mensagem)}, status=status)


@web.middleware
async def _erros(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map the one exception tree to HTTP, logging what is not the user's doing."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except CogepError as exc:
        if not explicavel(exc):
            log.exception("board %s %s failed", request.method, request.path)
            return _resposta_de_erro(500, texts.ERRO_INTERNO)
        status = next((s for k, s in STATUS_HTTP.items() if isinstance(exc, k)), 400)
        return _resposta_de_erro(status, exc.message or texts.ERRO_INTERNO)
    except Exception as exc:
        if is_outage(exc):
            log.error("board %s %s: database unreachable: %s", request.method, request.path, exc)
            return _resposta_de_erro(503, texts.BANCO_INDISPONIVEL)
        log.exception("board %s %s failed", request.method, request.path)
        return _resposta_de_erro(500, texts.ERRO_INTERNO)


Rota = Callable[[web.Request, Services, Usuario], Awaitable[web.StreamResponse]]


def registrado(rota: Rota) -> Handler:
    """Run `rota` only for signed requests of registered usuarios with access."""

    @functools.wraps(rota)
    async def guardada(request: web.Request) -> web.StreamResponse:
        estado = request.app[ESTADO]
        try:
            identidade = verificar(
                request.headers.get("Authorization"), token=estado.token, agora=estado.agora
            )
        except InitDataInvalida as exc:
            log.warning("board: refused %s %s (%s)", request.method, request.path, exc)
            return _resposta_de_erro(401, texts.QUADRO_SESSAO_INVALIDA)
        usuario = await estado.services.usuarios.carregar(identidade.telegram_id)
        if usuario is None:
            return _resposta_de_erro(403, texts.PRECISA_CADASTRO)
        motivo = motivo_sem_acesso(usuario)
        if motivo is not None:
            return _resposta_de_erro(403, motivo)
        return await rota(request, estado.services, usuario)

    return guardada


# -- helpers -----------------------------------------------------------------------------------
def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def _corpo(request: web.Request) -> dict[str, Any]:
    """The JSON object sent, or a 400 that changes nothing."""
    try:
        corpo = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO) from None
    if not isinstance(corpo, dict):
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)
    return corpo


def _texto(corpo: dict[str, Any], chave: str) -> str:
    valor = corpo.get(chave)
    if not isinstance(valor, str):
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)
    return valor


def _inteiro(valor: object, *, nulo: bool = False) -> int | None:
    """An int from JSON or a query string (`None` only when `nulo`), else a 400."""
    if valor is None and nulo:
        return None
    if isinstance(valor, bool):
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)
    if isinstance(valor, int) or (isinstance(valor, str) and valor.isdigit() and len(valor) < 16):
        return int(valor)
    raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)


def _sim(valor: str | None) -> bool:
    return (valor or "").lower() in ("1", "true", "sim")


def _agora(services: Services) -> datetime:
    return services.processos.agora()


async def _detalhe_json(services: Services, usuario: Usuario, processo_id: int) -> web.Response:
    detalhe = await services.processos.historico(usuario, processo_id)
    return _json(formato.detalhe(detalhe, usuario, _agora(services)))


# -- routes ------------------------------------------------------------------------------------
async def eu(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Who is calling, and whether they manage (assign, filter by responsável)."""
    return _json(formato.eu(usuario, gestor=gerencia(usuario)))


async def processos(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """The board's columns, filtered."""
    q = request.query
    responsavel = q.get("responsavel")
    filtros = Filtros(
        meus=_sim(q.get("meus")),
        atrasados=_sim(q.get("atrasados")),
        responsavel_id=_inteiro(responsavel) if responsavel else None,
        texto=q.get("q", "")[:200],
    )
    quadro = await services.processos.quadro(usuario, filtros)
    return _json(formato.quadro(quadro, usuario))


async def processo(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """One processo with its whole history."""
    return await _detalhe_json(services, usuario, _id(request))


async def mudar_status(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Move a processo along the status machine; cancelling must be confirmed."""
    corpo = await _corpo(request)
    para = _texto(corpo, "para")
    if para not in STATUS:
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)
    if para == "cancelado" and corpo.get("confirmado") is not True:
        raise InvalidInput(texts.QUADRO_CONFIRMAR_CANCELAMENTO)
    versao = _inteiro(corpo.get("versao"), nulo=True)
    await services.processos.mudar_status(usuario, _id(request), para, versao=versao)
    return await _detalhe_json(services, usuario, _id(request))


async def comentar(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Add a comment."""
    texto = _texto(await _corpo(request), "texto")
    await services.processos.comentar(usuario, _id(request), texto)
    return await _detalhe_json(services, usuario, _id(request))


async def atribuir(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Make someone (or nobody) the responsável: gestores only."""
    corpo = await _corpo(request)
    if "responsavel_id" not in corpo:
        raise InvalidInput(texts.QUADRO_PEDIDO_INVALIDO)
    responsavel_id = _inteiro(corpo["responsavel_id"], nulo=True)
    await services.processos.atribuir(usuario, _id(request), responsavel_id)
    return await _detalhe_json(services, usuario, _id(request))


async def mudar_prazo(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Set the deadline from pt-BR text, as the chat reads it ('sexta 18h', 'sem prazo')."""
    texto = _texto(await _corpo(request), "prazo")
    await services.processos.mudar_prazo(usuario, _id(request), texto)
    return await _detalhe_json(services, usuario, _id(request))


async def responsaveis(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """Whom a gestor may assign."""
    pessoas = await services.processos.candidatos_a_responsavel(usuario)
    return _json([{"id": p.id, "nome": p.nome} for p in pessoas])


async def lembretes(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """The caller's active reminders, soonest first."""
    itens = await services.lembretes.listar(usuario)
    agora = services.lembretes.agora()
    return _json([formato.lembrete(item, usuario, agora) for item in itens])


async def criar_lembrete(
    request: web.Request, services: Services, usuario: Usuario
) -> web.Response:
    """A reminder from one line, as `/lembrar` reads it."""
    texto = _texto(await _corpo(request), "texto")
    await services.lembretes.criar_de_texto(usuario, texto)
    return await lembretes(request, services, usuario)


async def cancelar_lembrete(
    request: web.Request, services: Services, usuario: Usuario
) -> web.Response:
    """Cancel one of the caller's reminders."""
    await services.lembretes.cancelar(usuario, _id(request))
    return await lembretes(request, services, usuario)


async def conhecimento(request: web.Request, services: Services, usuario: Usuario) -> web.Response:
    """The best passages for a question, among the documents the caller may see."""
    consulta = request.query.get("q", "").strip()[:300]
    if not consulta:
        raise InvalidInput(texts.QUADRO_BUSCA_VAZIA)
    passagens = await services.conhecimento.buscar(usuario, consulta, limite=10)
    return _json([formato.passagem(p) for p in passagens])


def api(estado: Estado) -> web.Application:
    """The JSON API as an aiohttp application (mounted at `api/` of the board)."""
    app = web.Application(middlewares=[_erros], client_max_size=64 * 1024)
    app[ESTADO] = estado
    app.router.add_get("/eu", registrado(eu))
    app.router.add_get("/processos", registrado(processos))
    app.router.add_get(f"/processos/{ID}", registrado(processo))
    app.router.add_post(f"/processos/{ID}/status", registrado(mudar_status))
    app.router.add_post(f"/processos/{ID}/comentarios", registrado(comentar))
    app.router.add_post(f"/processos/{ID}/responsavel", registrado(atribuir))
    app.router.add_post(f"/processos/{ID}/prazo", registrado(mudar_prazo))
    app.router.add_get("/responsaveis", registrado(responsaveis))
    app.router.add_get("/lembretes", registrado(lembretes))
    app.router.add_post("/lembretes", registrado(criar_lembrete))
    app.router.add_delete(f"/lembretes/{ID}", registrado(cancelar_lembrete))
    app.router.add_get("/conhecimento", registrado(conhecimento))
    return app
