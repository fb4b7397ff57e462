"""Typed settings read from the environment and a `.env` file.

The variable names are a contract with deployments (see DESIGN.md): `TELEGRAM_BOT_TOKEN`,
`DATABASE_URL`, `ADMIN_TELEGRAM_IDS`, ... `load_settings` turns any validation failure into one
`ConfigError` line that names the variable, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.calendario import Calendario, ler_expediente, regiao_valida
from bot.errors import ConfigError

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_BASE_URL = "https://api.telegram.org/file/bot"
# What setWebhook accepts as secret_token.
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    """Where the webhook listens and what Telegram is told: the path is WEBHOOK_URL's own."""

    listen: str
    port: int
    url: str
    path: str
    secret: str


class Settings(BaseSettings):
    """Everything Cogep reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_file_base_url: str = TELEGRAM_FILE_BASE_URL
    database_url: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    admin_telegram_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    timezone: str = "America/Sao_Paulo"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Lets the libraries log whole updates and requests (users' texts) at DEBUG: off by default.
    log_textos: bool = Field(default=False, alias="COGEP_LOG_TEXTOS")
    # JSON lines off a terminal, prose on one ("auto"), or either always.
    log_formato: Literal["auto", "json", "texto"] = Field(default="auto", alias="COGEP_LOG_FORMATO")
    # Per-person flood control (bot.enxurrada): updates per second kept up, and the burst
    # allowed above it (an album of 10 counts once). 0 updates per second: no control.
    flood_por_segundo: float = Field(default=1.0, ge=0, alias="COGEP_FLOOD_POR_SEGUNDO")
    flood_rajada: int = Field(default=8, ge=1, alias="COGEP_FLOOD_RAJADA")
    # How long start-up waits for the database (docker-compose starts them together).
    db_patience: float = Field(default=60.0, gt=0, alias="COGEP_DB_PATIENCE")
    # How long start-up retries an unreachable Bot API (network down, 5xx) before giving up.
    telegram_patience: float = Field(default=60.0, gt=0, alias="COGEP_TELEGRAM_PATIENCE")
    # How long shutdown waits for the background tasks (bot.tarefas) before cancelling them.
    shutdown_timeout: float = Field(default=20.0, gt=0, alias="COGEP_SHUTDOWN_TIMEOUT")
    # Business days (`em 2 dias úteis`): Brazil's national holidays, plus a state's (BR-SP).
    feriados: str = Field(default="BR", alias="COGEP_FERIADOS")
    # Working days and hours (`em 4 horas úteis`): e.g. `seg-sex 09-18`, `seg-sab 08-12`.
    expediente: str = Field(default="seg-sex 09-18", alias="COGEP_EXPEDIENTE")
    # With admins configured, newcomers wait for an admin's approval unless this is true.
    cadastro_aberto: bool = Field(default=False, alias="COGEP_CADASTRO_ABERTO")
    # The mentor (bot.mentor): timeouts in seconds, budgets in tokens, prices in USD per million.
    mentor_timeout: float = Field(default=30.0, gt=0, alias="MENTOR_TIMEOUT")
    mentor_tentativas: int = Field(default=2, ge=0, le=5, alias="MENTOR_TENTATIVAS")
    mentor_espera_maxima: float = Field(default=10.0, ge=0, alias="MENTOR_ESPERA_MAXIMA")
    mentor_contexto_tokens: int = Field(default=6000, ge=200, alias="MENTOR_CONTEXTO_TOKENS")
    mentor_resposta_tokens: int = Field(default=1500, ge=50, alias="MENTOR_RESPOSTA_TOKENS")
    mentor_perguntas_por_minuto: int = Field(default=6, ge=1, alias="MENTOR_PERGUNTAS_POR_MINUTO")
    mentor_tokens_por_dia: int = Field(default=200_000, ge=0, alias="MENTOR_TOKENS_POR_DIA")
    mentor_preco_entrada: float = Field(default=0.15, ge=0, alias="MENTOR_PRECO_ENTRADA")
    mentor_preco_saida: float = Field(default=0.60, ge=0, alias="MENTOR_PRECO_SAIDA")
    # Bot API 10.1 rich messages (sendRichMessage, sendRichMessageDraft) for the mentor's answers:
    # off by default, since several clients (Web, macOS, third-party) show them as blank.
    mensagens_ricas: bool = Field(default=False, alias="COGEP_MENSAGENS_RICAS")
    # Voice notes and audio (bot.mentor.voz): an OpenAI-compatible /audio/transcriptions.
    openai_transcription_model: str = Field(default="whisper-1", alias="OPENAI_TRANSCRIPTION_MODEL")
    openai_transcription_base_url: str | None = Field(
        default=None, alias="OPENAI_TRANSCRIPTION_BASE_URL"
    )
    voz_max_segundos: int = Field(default=300, gt=0, alias="COGEP_VOZ_MAX_SEGUNDOS")
    # USD per minute of audio (whisper-1's price), for /uso.
    voz_preco_minuto: float = Field(default=0.006, ge=0, alias="OPENAI_TRANSCRIPTION_PRECO")
    # The embedded PostgreSQL's folder (when DATABASE_URL is unset); default: the user data dir.
    data_dir: Path | None = Field(default=None, alias="COGEP_DATA_DIR")
    # Knowledge base: embeddings are optional (full-text search alone without them).
    openai_embedding_model: str | None = None
    ingest_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0, alias="COGEP_INGEST_MAX_BYTES")
    ingest_max_paginas: int = Field(default=500, gt=0, alias="COGEP_INGEST_MAX_PAGINAS")
    ingest_max_caracteres: int = Field(default=5_000_000, gt=0, alias="COGEP_INGEST_MAX_CARACTERES")
    ingest_tempo: float = Field(default=120.0, gt=0, alias="COGEP_INGEST_TEMPO")
    ingest_por_usuario: int = Field(default=3, gt=0, alias="COGEP_INGEST_POR_USUARIO")
    ingest_processos: int = Field(default=1, gt=0, le=16, alias="COGEP_INGEST_PROCESSOS")
    ingest_memoria_mb: int = Field(default=1024, ge=256, alias="COGEP_INGEST_MEMORIA_MB")
    # Lets /ingerir fetch private, loopback and link-local addresses (tests; intranets).
    ingest_permitir_rede_local: bool = Field(
        default=False, alias="COGEP_INGEST_PERMITIR_REDE_LOCAL"
    )
    # Send rate of this process, replies and notices alike (Telegram allows about 30/s per bot:
    # lower it when several replicas send); each chat also gets at most 1/s (20/min in a group)
    # unless `ritmo_por_chat` is off (tests against the fake Bot API, which are not Telegram);
    # and how many personal reminders a user may keep active.
    notificacoes_por_segundo: float = Field(
        default=30.0, gt=0, le=30, alias="COGEP_NOTIFICACOES_POR_SEGUNDO"
    )
    ritmo_por_chat: bool = Field(default=True, alias="COGEP_RITMO_POR_CHAT")
    # Seconds between the scheduler's rounds (digests, deadline alerts, stale lists, recurring
    # reminders; the leader acts). 0: this process never schedules — a replica that only
    # answers, or the tests, which drive the scheduler with a clock of their own instead of
    # the wall clock (a digest due at 08:00 must not land in a test that runs at 08:25).
    notificacoes_rodada: float = Field(default=30.0, ge=0, alias="COGEP_NOTIFICACOES_RODADA")
    lembretes_max: int = Field(default=50, ge=1, alias="COGEP_LEMBRETES_MAX")
    # The web server (the Mini App under /app/) in polling mode, and the public https address
    # Telegram opens it at (the menu button "Quadro"); unset: no board button is offered.
    web_port: int | None = Field(default=None, ge=1, le=65535, alias="COGEP_WEB_PORT")
    web_listen: str = Field(default="127.0.0.1", alias="COGEP_WEB_LISTEN")
    public_url: str | None = Field(default=None, alias="COGEP_PUBLIC_URL")

    @property
    def aprovacao(self) -> bool:
        """Whether a newcomer waits for an admin (there must be an admin to ask)."""
        return bool(self.admin_telegram_ids) and not self.cadastro_aberto

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept '1, 2,3' as well as a list."""
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "esperado uma lista de ids numéricos separados por vírgula"
                ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Refuse a time zone the system does not know."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"fuso horário desconhecido: {value!r}") from None
        return value

    @field_validator("feriados")
    @classmethod
    def _known_region(cls, value: str) -> str:
        """Refuse a holiday region the `holidays` package does not know."""
        regiao = value.strip().upper()
        if not regiao_valida(regiao):
            raise ValueError(f"região de feriados desconhecida: {value!r} (ex.: BR, BR-SP)")
        return regiao

    @field_validator("expediente")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        """Refuse working hours that do not read as `seg-sex 09-18`."""
        if ler_expediente(value) is None:
            raise ValueError(f"expediente ilegível: {value!r} (ex.: seg-sex 09-18)")
        return value

    @property
    def calendario(self) -> Calendario:
        """The business calendar of COGEP_FERIADOS and COGEP_EXPEDIENTE."""
        return Calendario.de(self.feriados, self.expediente)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        """Let LOG_LEVEL=debug work."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept postgres:// and postgresql:// URLs and use the asyncpg driver for them."""
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value().strip()
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
            if url.startswith(prefix):
                return SecretStr("postgresql+asyncpg://" + url.removeprefix(prefix))
        if not url.startswith("postgresql+asyncpg://"):
            raise ValueError("esperado postgresql+asyncpg://usuario:senha@host:porta/banco")
        return SecretStr(url)

    @field_validator("database_url")
    @classmethod
    def _numeric_port(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a port that is not a number now, not as a traceback when connecting."""
        if value is not None:
            try:
                _ = urlsplit(value.get_secret_value()).port  # raises on a non-number
            except ValueError:
                raise ValueError("a porta do servidor deve ser um número (host:5432)") from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Accept only what Telegram accepts as a secret token."""
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError(
                "use de 1 a 256 caracteres entre A-Z, a-z, 0-9, _ e - (o Telegram recusa outros)"
            )
        return value

    def webhook(self) -> Webhook | None:
        """The webhook to serve when WEBHOOK_URL is set (None: polling); a secret is required."""
        if not self.webhook_url:
            return None
        if self.webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET não definido: no modo webhook ele é obrigatório, senão qualquer um "
                "pode enviar updates falsos ao bot (ex.: WEBHOOK_SECRET=$(openssl rand -hex 32))."
            )
        parts = urlsplit(self.webhook_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                "Configuração inválida em WEBHOOK_URL: esperado o endereço público completo "
                "que o Telegram chama, ex.: https://bot.exemplo.com.br/telegram"
            )
        return Webhook(
            listen=self.webhook_listen,
            port=self.webhook_port,
            url=self.webhook_url,
            path=parts.path.lstrip("/"),
            secret=self.webhook_secret.get_secret_value(),
        )

    @field_validator("public_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        """Telegram opens Mini Apps only over https."""
        if value is None or not value.strip():
            return None
        url = value.strip()
        if not url.startswith("https://") or len(url) <= len("https://"):
            raise ValueError("esperado um endereço https://, como https://cogep.exemplo.com.br")
        return url

    @property
    def quadro_url(self) -> str | None:
        """The board's address (`COGEP_PUBLIC_URL` + `/app/`), or None when not published."""
        if self.public_url is None:
            return None
        base = self.public_url.rstrip("/")
        return base + "/" if base.endswith("/app") else base + "/app/"

    @property
    def log_level_escolhido(self) -> bool:
        """Whether LOG_LEVEL was set (rather than left at its default)."""
        return "log_level" in self.model_fields_set

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a ZoneInfo."""
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning validation errors into one `ConfigError` naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"Configuração inválida em {variable}: {reason}") from None
