"""The model client: any OpenAI-compatible endpoint through `AsyncOpenAI`, streamed, bounded.

    modelo = Modelo.de(settings)            None without OPENAI_API_KEY (offline mode)
    rodada = Rodada()
    await modelo.transmitir(mensagens, ferramentas, rodada, ao_crescer)
        rodada.texto grows as pieces arrive (so a stop keeps what was said), and the tool calls,
        finish reason and usage are filled in at the end
    await modelo.completar(mensagens)       one non-streamed answer (summaries)

Every failure becomes one `FalhaDoModelo` whose `tipo` the texts explain to the user: timeout,
limite (429, with the server's Retry-After), servidor (5xx), recusado (connection refused or
reset), cortado (a stream that ended without finishing, or a malformed chunk), contexto
(context-length), invalido (any other refusal); the service adds ferramentas (tool rounds
exhausted). Before any text arrives, timeouts, 429s,
5xx and refused connections are retried with bounded backoff (a 429 waits what the server
asked, when that is short); once text is flowing nothing is retried, since the user sees it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import openai
from openai import AsyncOpenAI

from bot import metricas
from bot.errors import Interno
from bot.settings import Settings

log = logging.getLogger("cogep.mentor.modelo")

TipoFalha = Literal[
    "timeout", "limite", "servidor", "recusado", "cortado", "contexto", "invalido", "ferramentas"
]
Mensagens = Sequence[dict[str, Any]]
RECUO_INICIAL = 0.5  # seconds before the first retry, doubled after each
CONTEXTO = ("context_length", "context length", "maximum context", "too many tokens", "too long")


class FalhaDoModelo(Interno):
    """The model did not answer (fully); `tipo` says how, `espera` how long a 429 asked for."""

    def __init__(self, tipo: TipoFalha, detalhe: str = "", *, espera: float | None = None) -> None:
        super().__init__(f"{tipo}: {detalhe}" if detalhe else tipo)
        self.tipo: TipoFalha = tipo
        self.espera = espera


@dataclass
class ChamadaFerramenta:
    """A function call the model asked for (arguments as the raw JSON text it wrote)."""

    id: str
    nome: str
    argumentos: str = ""


@dataclass
class Rodada:
    """One model call: what it said so far, the calls it made, how it ended, what it cost."""

    texto: str = ""
    chamadas: list[ChamadaFerramenta] = field(default_factory=list)
    fim: str | None = None
    entrada: int | None = None
    saida: int | None = None

    @property
    def mensagem(self) -> dict[str, Any]:
        """This round as an assistant message for the next request."""
        mensagem: dict[str, Any] = {"role": "assistant", "content": self.texto or None}
        if self.chamadas:
            mensagem["tool_calls"] = [
                {"id": c.id, "type": "function",
                 "function": {"name": c.nome, "arguments": c.argumentos or "{}"}}
                for c in self.chamadas
            ]  # fmt: skip
        return mensagem


class Modelo:
    """AsyncOpenAI with Cogep's timeouts, retries and error vocabulary."""

    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        nome: str,
        tentativas: int = 2,
        espera_maxima: float = 10.0,
        timeout_total: float = 180.0,
    ) -> None:
        self._client = client
        self.nome = nome
        self._tentativas = tentativas
        self._espera_maxima = espera_maxima
        self._timeout_total = timeout_total

    @classmethod
    def de(cls, settings: Settings) -> Modelo | None:
        """The configured model, or None when OPENAI_API_KEY is unset (offline mode)."""
        if settings.openai_api_key is None or not settings.openai_api_key.get_secret_value():
            return None
        client = AsyncOpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url or None,
            # Per read: a stream that goes quiet this long is dead. Connect is bounded by it too.
            timeout=settings.mentor_timeout,
            max_retries=0,  # ours below: bounded, and never once text has been shown
        )
        return cls(
            client,
            nome=settings.openai_model,
            tentativas=settings.mentor_tentativas,
            espera_maxima=settings.mentor_espera_maxima,
            timeout_total=max(settings.mentor_timeout * 6, 60.0),
        )

    async def fechar(self) -> None:
        """Close the HTTP pool."""
        await self._client.close()

    async def transmitir(
        self,
        mensagens: Mensagens,
        ferramentas: Sequence[dict[str, Any]],
        rodada: Rodada,
        ao_crescer: Callable[[str], None],
        *,
        max_tokens: int,
    ) -> None:
        """Stream one answer into `rodada`, calling `ao_crescer(texto)` as the text grows.

        Cancelling the task that runs this closes the HTTP response: the model request itself
        stops, and `rodada.texto` keeps what had arrived.
        """
        pedido: dict[str, Any] = {
            "model": self.nome,
            "messages": list(mensagens),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": max_tokens,
        }
        if ferramentas:
            pedido["tools"] = list(ferramentas)
        with metricas.chamando_modelo("resposta"):
            stream = await self._com_tentativas(pedido)
            try:
                async with asyncio.timeout(self._timeout_total):
                    await self._ler(stream, rodada, ao_crescer)
            except TimeoutError:
                raise FalhaDoModelo("timeout", "stream took too long") from None
            except openai.APITimeoutError as exc:
                raise FalhaDoModelo("timeout", str(exc)) from None
            except (openai.APIConnectionError, openai.APIError, ValueError) as exc:
                # A reset mid-stream, an error event, or a chunk that is not JSON.
                raise FalhaDoModelo("cortado", type(exc).__name__) from None
            finally:
                await stream.close()
                metricas.tokens(rodada.entrada, rodada.saida)
            if rodada.fim is None:
                raise FalhaDoModelo("cortado", "stream ended without a finish reason")

    async def _ler(self, stream: Any, rodada: Rodada, ao_crescer: Callable[[str], None]) -> None:
        chamadas: dict[int, ChamadaFerramenta] = {}
        async for chunk in stream:
            if chunk.usage is not None:
                rodada.entrada = chunk.usage.prompt_tokens
                rodada.saida = chunk.usage.completion_tokens
            for escolha in chunk.choices:
                delta = escolha.delta
                if delta is not None and delta.content:
                    rodada.texto += delta.content
                    ao_crescer(rodada.texto)
                for parte in (delta.tool_calls if delta is not None else None) or []:
                    chamada = chamadas.setdefault(parte.index, ChamadaFerramenta(id="", nome=""))
                    chamada.id = parte.id or chamada.id or f"call_{parte.index}"
                    if parte.function is not None:
                        chamada.nome += parte.function.name or ""
                        chamada.argumentos += parte.function.arguments or ""
                if escolha.finish_reason:
                    rodada.fim = escolha.finish_reason
        rodada.chamadas = [chamadas[i] for i in sorted(chamadas)]

    async def completar(self, mensagens: Mensagens, *, max_tokens: int) -> Rodada:
        """One non-streamed answer (used for summaries)."""
        pedido = {"model": self.nome, "messages": list(mensagens), "max_tokens": max_tokens}
        with metricas.chamando_modelo("resumo"):
            resposta = await self._com_tentativas(pedido)
        rodada = Rodada()
        if resposta.choices:
            rodada.texto = resposta.choices[0].message.content or ""
            rodada.fim = resposta.choices[0].finish_reason
        if resposta.usage is not None:
            rodada.entrada = resposta.usage.prompt_tokens
            rodada.saida = resposta.usage.completion_tokens
        metricas.tokens(rodada.entrada, rodada.saida)
        return rodada

    async def _com_tentativas(self, pedido: dict[str, Any]) -> Any:
        """Send the request, retrying what is worth retrying before anything was shown."""
        recuo = RECUO_INICIAL
        for tentativa in range(self._tentativas + 1):
            try:
                return await self._client.chat.completions.create(**pedido)
            except openai.OpenAIError as exc:
                falha = _traduzir(exc)
            ultima = tentativa == self._tentativas
            espera = falha.espera if falha.espera is not None else recuo
            if falha.tipo not in ("timeout", "limite", "servidor", "recusado") or ultima:
                raise falha
            if espera > self._espera_maxima:
                raise falha  # a long Retry-After: tell the user now rather than hang
            log.warning("model call failed (%s); retrying in %.1f s", falha.tipo, espera)
            await asyncio.sleep(espera)
            recuo *= 2
        raise AssertionError("unreachable")


def _traduzir(exc: openai.OpenAIError) -> FalhaDoModelo:
    """The SDK's exception in Cogep's vocabulary."""
    if isinstance(exc, openai.APITimeoutError):
        return FalhaDoModelo("timeout", str(exc))
    if isinstance(exc, openai.APIConnectionError):
        return FalhaDoModelo("recusado", str(exc))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        texto = _texto_do_erro(exc).lower()
        if status == 429:
            return FalhaDoModelo("limite", texto[:200], espera=_retry_after(exc))
        if status >= 500:
            return FalhaDoModelo("servidor", f"HTTP {status}")
        if any(marca in texto for marca in CONTEXTO):
            return FalhaDoModelo("contexto", texto[:200])
        return FalhaDoModelo("invalido", f"HTTP {status}: {texto[:200]}")
    return FalhaDoModelo("invalido", type(exc).__name__)


def _texto_do_erro(exc: openai.APIStatusError) -> str:
    corpo = exc.body
    if isinstance(corpo, dict):
        erro = corpo.get("error", corpo)
        if isinstance(erro, dict):
            return " ".join(str(erro.get(k) or "") for k in ("code", "message"))
    return json.dumps(corpo) if corpo is not None else str(exc)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """Seconds from the Retry-After (or retry-after-ms) header, when there is one."""
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None
