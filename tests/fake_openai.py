"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, scriptable per test.

    async with FakeOpenAI() as ai:
        settings = make_settings(..., openai_base_url=ai.base_url, openai_api_key="sk-test")
        ai.roteiro.append(Resposta(texto="Olá! Vamos pensar juntos.", pedaco=3))
        ...
        ai.pedidos[-1]["messages"]   # what the bot sent

Each request to `POST /v1/chat/completions` takes the next `Resposta` of `roteiro` (or, when
the script is empty, `padrao(pedido)`: by default an echo of the last user message). A Resposta
says what to answer and how: text in pieces of `pedaco` characters (`stream: true`) or whole,
tool calls, the `usage` numbers, a delay before the first piece and between pieces, an HTTP
error with a code and a `Retry-After`, a stream cut after N pieces (no finish, no [DONE]) or a
malformed chunk. `desconexoes` counts streams whose client went away before the end: a stop
that really cancels the model request shows up there.

`POST /v1/audio/transcriptions` (multipart: file, model, language) answers the next entry of
`transcricoes` (a `Transcricao`: the text, or an HTTP error status), else "(silêncio)";
`audios` records each request's fields and the file's size. Image parts (`image_url` with a
data URL) are read by `imagens_de`; `sem_imagens` refuses them with a 400, as a text-only
model does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, web

JSON = dict[str, Any]


@dataclass
class Chamada:
    """A tool call the fake model makes."""

    nome: str
    argumentos: str | JSON  # a dict is JSON-encoded; a str is sent verbatim (bad JSON on purpose)


@dataclass
class Resposta:
    """One scripted answer of the fake model."""

    texto: str = ""
    chamadas: list[Chamada] = field(default_factory=list)
    pedaco: int = 8  # characters per streamed piece
    atraso: float = 0.0  # seconds before the first piece (or the whole answer)
    intervalo: float = 0.0  # seconds between pieces
    status: int = 200  # an HTTP error status instead of an answer
    codigo: str | None = None  # error code, e.g. "context_length_exceeded"
    retry_after: float | None = None
    cortar_apos: int | None = None  # close the stream after N pieces: no finish, no [DONE]
    malformado: bool = False  # one chunk that is not JSON
    fim: str | None = None  # finish_reason; default "tool_calls" with calls, else "stop"
    entrada: int | None = None  # usage.prompt_tokens; default estimated from the request
    saida: int | None = None  # usage.completion_tokens; default one per piece
    sem_uso: bool = False  # leave the usage fields out


@dataclass
class Transcricao:
    """One scripted answer of the transcription endpoint."""

    texto: str = ""
    status: int = 200
    atraso: float = 0.0


def texto_de(conteudo: str | list[JSON]) -> str:
    """A message's text, whether plain or in parts (images shown as "[vi uma imagem]")."""
    if isinstance(conteudo, str):
        return conteudo
    return " ".join(p["text"] if p["type"] == "text" else "[vi uma imagem]" for p in conteudo)


def imagens_de(pedido: JSON) -> list[str]:
    """The image URLs (data URLs) of every message of a request."""
    return [
        parte["image_url"]["url"]
        for m in pedido["messages"]
        if isinstance(m.get("content"), list)
        for parte in m["content"]
        if parte["type"] == "image_url"
    ]


def eco(pedido: JSON) -> Resposta:
    """The default answer: repeats the last user message."""
    ultima = next((m for m in reversed(pedido["messages"]) if m["role"] == "user"), None)
    conteudo = texto_de(ultima["content"]) if ultima else ""
    return Resposta(texto=f"Você perguntou: {conteudo}")


class FakeOpenAI:
    """An OpenAI-compatible `/v1/chat/completions` on loopback, driven by `roteiro`."""

    def __init__(self, *, modelo: str = "fake-mentor") -> None:
        self.modelo = modelo
        self.roteiro: list[Resposta] = []
        self.padrao: Callable[[JSON], Resposta] = eco
        self.pedidos: list[JSON] = []
        self.desconexoes = 0
        self.concluidas = 0
        self.chegadas: list[float] = []  # time.monotonic() of each request's arrival
        self.primeiros_pedacos: list[float] = []  # time.monotonic() of each stream's first piece
        self.transcricoes: list[Transcricao] = []
        self.audios: list[JSON] = []  # model, language, file name and size of each request
        self.sem_imagens = False  # answer a request with an image part with a 400, as text-only
        # models do
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self._mudou = asyncio.Event()

    @property
    def base_url(self) -> str:
        """OPENAI_BASE_URL for the bot."""
        return f"http://127.0.0.1:{self._port}/v1"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_post("/v1/audio/transcriptions", self._transcrever)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def esperar(self, condicao: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Wait until `condicao()` holds (re-checked whenever a request starts or ends)."""
        async with asyncio.timeout(timeout):
            while not condicao():
                self._mudou.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._mudou.wait(), 0.05)

    # -- the endpoints ----------------------------------------------------------------------
    async def _transcrever(self, request: web.Request) -> web.Response:
        campos: JSON = {}
        async for parte in await request.multipart():
            if not isinstance(parte, BodyPartReader) or parte.name is None:
                continue
            if parte.filename is not None:
                conteudo = await parte.read()
                campos["arquivo"], campos["tamanho"] = parte.filename, len(conteudo)
            else:
                campos[parte.name] = await parte.text()
        campos["at"] = time.monotonic()
        self.audios.append(campos)
        self._avisar()
        roteiro = self.transcricoes.pop(0) if self.transcricoes else Transcricao("(silêncio)")
        if roteiro.atraso:
            await asyncio.sleep(roteiro.atraso)
        if roteiro.status != 200:
            erro = {"error": {"message": "transcription failed", "type": "server_error"}}
            return web.json_response(erro, status=roteiro.status)
        return web.json_response({"text": roteiro.texto})

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        self.chegadas.append(time.monotonic())
        pedido: JSON = await request.json()
        self.pedidos.append(pedido)
        self._avisar()
        if self.sem_imagens and imagens_de(pedido):
            erro = "Invalid content type. image_url is only supported by certain models."
            return self._erro(Resposta(texto=erro, status=400))
        resposta = self.roteiro.pop(0) if self.roteiro else self.padrao(pedido)
        if resposta.atraso:
            await asyncio.sleep(resposta.atraso)
        if resposta.status != 200:
            return self._erro(resposta)
        if not pedido.get("stream"):
            self.concluidas += 1
            self._avisar()
            return web.json_response(self._inteira(pedido, resposta))
        return await self._transmitir(request, pedido, resposta)

    def _erro(self, resposta: Resposta) -> web.Response:
        headers = {}
        if resposta.retry_after is not None:
            headers["Retry-After"] = f"{resposta.retry_after:g}"
        corpo = {
            "error": {
                "message": resposta.texto or f"erro {resposta.status} de teste",
                "type": "invalid_request_error" if resposta.status < 500 else "server_error",
                "code": resposta.codigo,
            }
        }
        return web.json_response(corpo, status=resposta.status, headers=headers)

    def _inteira(self, pedido: JSON, resposta: Resposta) -> JSON:
        mensagem: JSON = {"role": "assistant", "content": resposta.texto or None}
        if resposta.chamadas:
            mensagem["tool_calls"] = [
                {"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": c.nome, "arguments": _args(c)}}
                for c in resposta.chamadas
            ]  # fmt: skip
        corpo: JSON = {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.modelo,
            "choices": [{"index": 0, "message": mensagem, "finish_reason": _fim(resposta)}],
        }
        if not resposta.sem_uso:
            corpo["usage"] = _uso(pedido, resposta, max(1, len(resposta.texto) // 4))
        return corpo

    async def _transmitir(
        self, request: web.Request, pedido: JSON, resposta: Resposta
    ) -> web.StreamResponse:
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        ident = f"chatcmpl-{next(self._ids)}"
        pecas = _pecas(resposta)
        try:
            for i, delta in enumerate(pecas):
                if resposta.cortar_apos is not None and i >= resposta.cortar_apos:
                    return stream  # the connection ends mid-answer: no finish_reason, no [DONE]
                if i and resposta.intervalo:
                    await asyncio.sleep(resposta.intervalo)
                if resposta.malformado and i == 1:
                    await stream.write(b'data: {"choices": [{"delta": {"content": "x\n\n')
                await stream.write(_sse(self._chunk(ident, delta, None)))
                if i == 0:
                    self.primeiros_pedacos.append(time.monotonic())
            await stream.write(_sse(self._chunk(ident, {}, _fim(resposta))))
            opcoes = pedido.get("stream_options") or {}
            if opcoes.get("include_usage") and not resposta.sem_uso:
                uso = _uso(pedido, resposta, len(pecas))
                await stream.write(
                    _sse({**self._chunk(ident, {}, None), "choices": [], "usage": uso})
                )
            await stream.write(b"data: [DONE]\n\n")
            await stream.write_eof()
            self.concluidas += 1
        except (asyncio.CancelledError, ConnectionResetError):
            self.desconexoes += 1
            raise
        finally:
            self._avisar()
        return stream

    def _chunk(self, ident: str, delta: JSON, fim: str | None) -> JSON:
        return {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.modelo,
            "choices": [{"index": 0, "delta": delta, "finish_reason": fim}],
        }

    def _avisar(self) -> None:
        self._mudou.set()


def _args(chamada: Chamada) -> str:
    args = chamada.argumentos
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


def _fim(resposta: Resposta) -> str:
    return resposta.fim or ("tool_calls" if resposta.chamadas else "stop")


def _pecas(resposta: Resposta) -> list[JSON]:
    """The deltas of a streamed answer: the role, text pieces, then each tool call in two parts."""
    texto = resposta.texto
    passo = max(1, resposta.pedaco)
    pecas: list[JSON] = [{"role": "assistant", "content": texto[i : i + passo]}
                         for i in range(0, len(texto), passo)]  # fmt: skip
    for indice, chamada in enumerate(resposta.chamadas):
        args = _args(chamada)
        meio = len(args) // 2
        cabeca = {"index": indice, "id": f"call_{indice + 1}", "type": "function",
                  "function": {"name": chamada.nome, "arguments": args[:meio]}}  # fmt: skip
        pecas.append({"tool_calls": [cabeca]})
        pecas.append({"tool_calls": [{"index": indice, "function": {"arguments": args[meio:]}}]})
    return pecas or [{"role": "assistant", "content": ""}]


def _uso(pedido: JSON, resposta: Resposta, saida: int) -> JSON:
    caracteres = sum(len(str(m.get("content") or "")) for m in pedido["messages"])
    entrada = resposta.entrada if resposta.entrada is not None else max(1, caracteres // 4)
    saida = resposta.saida if resposta.saida is not None else saida
    return {"prompt_tokens": entrada, "completion_tokens": saida, "total_tokens": entrada + saida}


def _sse(data: JSON) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
