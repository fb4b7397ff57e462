"""Voice notes and audio files become text: an OpenAI-compatible `/audio/transcriptions`.

The model is `OPENAI_TRANSCRIPTION_MODEL` (whisper-1), at `OPENAI_TRANSCRIPTION_BASE_URL` when
it lives apart from the chat model (a local faster-whisper server), else `OPENAI_BASE_URL`;
the language is Portuguese. The seconds heard are counted in `/uso` and in the daily budget
(`TOKENS_POR_SEGUNDO`), by `MentorService.ouvir`. What was heard is then handled exactly as
if typed (the handler re-reads it as text), so this module only checks the limits and
transcribes: a note over
`COGEP_VOZ_MAX_SEGUNDOS` or over the 20 MB a bot may download is refused before it is fetched,
and without a key or when the endpoint fails the user is told so, nothing guessed.
"""

from __future__ import annotations

import logging

import openai
from openai import AsyncOpenAI

from bot import texts
from bot.errors import InvalidInput, ServiceUnavailable
from bot.settings import Settings

log = logging.getLogger("cogep.mentor.voz")

MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
# In the daily budget (MENTOR_TOKENS_POR_DIA), a second of audio weighs this many tokens: a
# 5-minute note as much as 15,000 tokens of conversation.
TOKENS_POR_SEGUNDO = 50
IDIOMA = "pt"


class Voz:
    """Transcribes audio for the chat; `de(settings)` is None without OPENAI_API_KEY."""

    def __init__(self, client: AsyncOpenAI, *, modelo: str, max_segundos: int) -> None:
        self._client = client
        self.modelo = modelo
        self.max_segundos = max_segundos

    @classmethod
    def de(cls, settings: Settings) -> Voz | None:
        """The configured transcription, or None when no model key is set."""
        chave = settings.openai_api_key
        if chave is None or not chave.get_secret_value():
            return None
        client = AsyncOpenAI(
            api_key=chave.get_secret_value(),
            base_url=settings.openai_transcription_base_url or settings.openai_base_url or None,
            timeout=settings.mentor_timeout,
            max_retries=0,
        )
        return cls(client, modelo=settings.openai_transcription_model,
                   max_segundos=settings.voz_max_segundos)  # fmt: skip

    def validar(self, *, segundos: int, tamanho: int | None) -> None:
        """Refuse, with the reason in pt-BR, a note too long or too large to fetch."""
        if segundos > self.max_segundos:
            raise InvalidInput(texts.voz_longa(segundos, self.max_segundos))
        if tamanho is not None and tamanho > MAX_BYTES:
            raise InvalidInput(texts.VOZ_GRANDE)

    async def transcrever(self, conteudo: bytes, *, nome: str) -> str:
        """What was said, in pt-BR; ServiceUnavailable when the endpoint fails."""
        try:
            resultado = await self._client.audio.transcriptions.create(
                model=self.modelo, file=(nome, conteudo), language=IDIOMA
            )
        except openai.OpenAIError as exc:
            log.warning("transcription failed: %s", type(exc).__name__)
            raise ServiceUnavailable(texts.VOZ_FALHOU) from exc
        texto = resultado.text.strip()
        if not texto:
            raise InvalidInput(texts.VOZ_VAZIA)
        return texto

    async def fechar(self) -> None:
        """Close the HTTP pool."""
        await self._client.close()
