"""A fake Telegram Bot API server that a real python-telegram-bot Application talks to over HTTP.

The fake is an aiohttp server on 127.0.0.1 (random free port). Point PTB at it with::

    async with FakeTelegram() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )

Map of this module, top to bottom:

* Data types: ``Call`` (one recorded Bot API call), ``Upload`` (a multipart file part),
  ``ApiError`` (an error answered in the Bot API's own JSON shape).
* Text helpers: ``utf16_len`` and ``parse_html`` (Telegram's HTML parse mode: plain text plus
  entities with UTF-16 offsets, or the same "can't parse entities" errors Telegram gives).
* ``FakeTelegram``, in sections:
    - lifecycle: ``start``/``stop``/``async with``;
    - acting as users: ``user``, ``group``, ``send_text``, ``press``, ``send_document``, ... (each
      queues an Update, delivered through getUpdates or the webhook, and returns it);
    - reading what the bot did: ``calls``, ``chat_messages``, ``mark``, ``wait_for_message``,
      ``wait_for_call``, ``wait_for`` (any condition), ``answered_callbacks``, ``webhook_info``;
    - fault injection: ``fail_next``, ``block``/``unblock``, ``hold_downloads``/
      ``release_downloads``, ``redeliver`` (a lost confirmation: the same update_id again);
      flood control: ``enforce_limits``
      (``FloodLimits``: 429s beyond the overall, per-chat and per-group rates);
    - HTTP plumbing: request decoding (PTB sends form fields whose non-string values are
      JSON-encoded, or multipart/form-data when uploading) and the file download route;
    - Bot API methods, one ``_api_*`` coroutine each, registered in ``_METHODS``;
    - update delivery: getUpdates long polling and webhook pushing (one at a time, or
      ``webhook_concurrency`` at once, never two of one chat). As on Telegram, a new
      getUpdates request ends a pending one with 409 "terminated by other getUpdates request",
      so two pollers each see Conflict; setWebhook ends a pending poll the same way.

Deliberate simplifications: MarkdownV2/Markdown text is stored verbatim without entities;
overlapping entities are not split the way Telegram splits them; URLs in bot messages are not
auto-detected. One deliberate strictness: a bare ``&`` that is not an HTML entity is rejected
in HTML mode (real Telegram keeps it literally), so a missing ``html.escape`` is caught even by
inputs without ``<``; set ``strict_html_ampersand = False`` to get Telegram's leniency.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files

CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"

# Update types delivered when allowed_updates was never set or set to [] (Bot API default).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields Telegram types as String: kept verbatim, everything else is JSON-decoded.
_STRING_FIELDS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "description",
        "document",
        "emoji",
        "file_id",
        "first_name",
        "inline_message_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "parse_mode",
        "phone_number",
        "photo",
        "query",
        "question",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "video",
        "video_note",
        "voice",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_COMMAND_TOKEN = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{3,32}")
# Keys kept on stored bot messages for chat_messages() but never sent over the API.
_VIEW_ONLY_KEYS = ("parse_mode", "source_text", "reply_keyboard")


# --------------------------------------------------------------------------- data types


@dataclass
class Call:
    """One Bot API call the bot made, with JSON-decoded parameters and a monotonic timestamp."""

    method: str
    params: JSON
    at: float
    result: Any = None
    error: JSON | None = None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart/form-data request."""

    filename: str
    content: bytes
    mime_type: str


class ApiError(Exception):
    """An error answered in the Bot API's JSON shape (``ok: false``)."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        """Return the JSON body Telegram would send for this error."""
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    """Build a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {message}")


@dataclass
class _Fault:
    """A queued injected error for a method (optionally only for one chat)."""

    method: str
    error: ApiError
    times: int
    chat_id: int | None
    after: int = 0  # matching calls let through before the first failure
    kind: str = "status"  # "status": answer `error`; "timeout": hang; "network": hang up


@dataclass
class FloodLimits:
    """Telegram's flood control as the fake enforces it (`FakeTelegram.enforce_limits`).

    Sends beyond `per_second` overall (sliding second), `per_chat_per_second` in a private chat
    or `group_per_minute` in a group get 429 with a whole-second retry_after (times
    `retry_after_scale`, so a scaled-down test can ask for shorter waits); `refused` counts them.
    """

    per_second: int = 30
    per_chat_per_second: int = 1
    group_per_minute: int = 20
    retry_after_scale: float = 1.0
    refused: int = 0
    random_429: float = 0.0  # also refuse this share of sends at random (retry_after 1)
    rng: random.Random = field(default_factory=lambda: random.Random(15))


_FLOOD_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument"})


def _is_group(chat_id: object) -> bool:
    return isinstance(chat_id, int) and chat_id < 0


@dataclass
class _StoredFile:
    """A file known to the fake, downloadable at its file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes

    def as_document(self) -> JSON:
        """Return the Document object for this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }


class _Signal:
    """A broadcast "something changed" notification that any number of waiters can await."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def waiter(self) -> asyncio.Future[None]:
        """Return a future resolved at the next fire()."""
        if self._future is None or self._future.done():
            self._future = asyncio.get_running_loop().create_future()
        return self._future

    def fire(self) -> None:
        """Wake every current waiter."""
        if self._future is not None and not self._future.done():
            self._future.set_result(None)
        self._future = None


# --------------------------------------------------------------------------- text helpers


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


_HTML_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class HtmlParseError(ValueError):
    """Telegram's "can't parse entities" for HTML parse mode."""


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the output text
    source_index: int  # index just after the tag, for <a> without href


class _HtmlParser:
    """Single-pass parser of Telegram's HTML subset into plain text and entities."""

    def __init__(self, source: str, *, strict_ampersand: bool) -> None:
        self.src = source
        self.strict_ampersand = strict_ampersand
        self.i = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        """Run the parser; raise HtmlParseError on malformed markup."""
        while self.i < len(self.src):
            char = self.src[self.i]
            if char == "&":
                self._entity()
            elif char == "<":
                self._tag()
            else:
                self._emit(char)
                self.i += 1
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        return "".join(self.out), self.entities

    def _fail(self, message: str, index: int, detail: str = "") -> HtmlParseError:
        """Error naming the UTF-8 byte offset of index, as Telegram does."""
        return HtmlParseError(f"{message} at byte offset {len(self.src[:index].encode())}{detail}")

    def _emit(self, text: str) -> None:
        """Append text to the output, tracking the UTF-16 offset."""
        self.out.append(text)
        self.offset += utf16_len(text)

    def _decode_entity(self, index: int) -> tuple[str, int] | None:
        """Decode an HTML entity at index: (character, index after it), or None."""
        match = _HTML_ENTITY.match(self.src, index)
        if match is None:
            return None
        decimal, hexadecimal, named = match.groups()
        if named:
            return _NAMED_ENTITIES[named], match.end()
        code = int(decimal) if decimal else int(hexadecimal, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end()

    def _entity(self) -> None:
        """Handle '&' in text."""
        decoded = self._decode_entity(self.i)
        if decoded is not None:
            self._emit(decoded[0])
            self.i = decoded[1]
            return
        if self.strict_ampersand:
            raise self._fail(
                'Character "&" is not a valid HTML entity (escape it as &amp;)', self.i
            )
        self._emit("&")
        self.i += 1

    def _tag(self) -> None:
        """Handle '<' in text: a start or an end tag."""
        if self.src.startswith("</", self.i):
            self._end_tag()
        else:
            self._start_tag()

    def _skip_spaces(self) -> None:
        """Advance past whitespace."""
        while self.i < len(self.src) and self.src[self.i].isspace():
            self.i += 1

    def _read_until(self, stops: str) -> str:
        """Read characters until whitespace, end of text or one of stops."""
        begin = self.i
        while self.i < len(self.src) and not self.src[self.i].isspace():
            if self.src[self.i] in stops:
                break
            self.i += 1
        return self.src[begin : self.i]

    def _start_tag(self) -> None:
        """Parse a start tag with its attributes and push it."""
        tag_at = self.i
        self.i += 1
        name = self._read_until(">").lower()
        if self.i >= len(self.src):
            raise self._fail("Unclosed start tag", tag_at)
        if name not in _HTML_TAGS:
            raise self._fail(f'Unsupported start tag "{name}"', tag_at)
        attrs = self._attributes(name, tag_at)
        self.i += 1  # '>'
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"', tag_at)
        self.stack.append(_OpenTag(name, attrs, self.offset, self.i))

    def _attributes(self, tag: str, tag_at: int) -> dict[str, str]:
        """Parse attributes up to (not past) the closing '>'."""
        attrs: dict[str, str] = {}
        while True:
            self._skip_spaces()
            if self.i >= len(self.src):
                raise self._fail(f'Unclosed start tag "{tag}"', tag_at)
            if self.src[self.i] == ">":
                return attrs
            attr_at = self.i
            attr = self._read_until("=>/\"'").lower()
            if not attr:
                raise self._fail(f'Empty attribute name in the tag "{tag}"', attr_at)
            self._skip_spaces()
            if self.i < len(self.src) and self.src[self.i] == "=":
                self.i += 1
                self._skip_spaces()
                attrs[attr] = self._attribute_value(tag, tag_at)
            else:
                attrs[attr] = ""

    def _attribute_value(self, tag: str, tag_at: int) -> str:
        """Parse a quoted or bare attribute value."""
        if self.i >= len(self.src):
            raise self._fail(f'Unclosed start tag "{tag}"', tag_at)
        quote = self.src[self.i]
        if quote not in "\"'":
            begin = self.i
            while self.i < len(self.src) and (
                self.src[self.i].isalnum() or self.src[self.i] in ".-"
            ):
                self.i += 1
            if self.i < len(self.src) and not (
                self.src[self.i].isspace() or self.src[self.i] == ">"
            ):
                raise self._fail("Unexpected end of name token", begin)
            return self.src[begin : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.i < len(self.src) and self.src[self.i] != quote:
            decoded = self._decode_entity(self.i) if self.src[self.i] == "&" else None
            if decoded is not None:
                value.append(decoded[0])
                self.i = decoded[1]
            else:
                value.append(self.src[self.i])
                self.i += 1
        if self.i >= len(self.src):
            raise self._fail(f'Unclosed start tag "{tag}"', tag_at)
        self.i += 1
        return "".join(value)

    def _end_tag(self) -> None:
        """Parse an end tag, check nesting and emit the entity."""
        tag_at = self.i
        self.i += 2
        name = self._read_until(">").lower()
        self._skip_spaces()
        if self.i >= len(self.src) or self.src[self.i] != ">":
            raise self._fail("Unclosed end tag", tag_at)
        if not self.stack:
            raise self._fail("Unexpected end tag", tag_at)
        open_tag = self.stack[-1]
        if name and name != open_tag.name:
            detail = f', expected "</{open_tag.name}>", found "</{name}>"'
            raise self._fail("Unmatched end tag", tag_at, detail)
        self.stack.pop()
        inner_text = self.src[open_tag.source_index : tag_at]
        self.i += 1
        if self.offset > open_tag.offset:
            self._close_entity(open_tag, inner_text)

    def _close_entity(self, tag: _OpenTag, inner_text: str) -> None:
        """Append the entity for a closed, non-empty tag."""
        entity: JSON = {
            "type": _HTML_TAGS[tag.name],
            "offset": tag.offset,
            "length": self.offset - tag.offset,
        }
        if tag.name == "a":
            entity["url"] = tag.attrs.get("href") or inner_text
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            emoji_id = tag.attrs.get("emoji-id", "")
            if not emoji_id.isdigit():
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = emoji_id
        elif tag.name == "code" and tag.attrs.get("class", "").startswith("language-"):
            entity["language"] = tag.attrs["class"].removeprefix("language-")
        elif tag.name == "pre" and self._merge_code_into_pre(entity):
            return
        self.entities.append(entity)

    def _merge_code_into_pre(self, pre: JSON) -> bool:
        """Turn <pre><code class="language-x">…</code></pre> into one pre entity."""
        last = self.entities[-1] if self.entities else {}
        span = (pre["offset"], pre["length"])
        if last.get("type") != "code" or (last["offset"], last["length"]) != span:
            return False
        last["type"] = "pre"
        return True


def _strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like Telegram does, clipping entities to the kept text."""
    stripped = text.strip()
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def parse_html(source: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (plain text, entities), trimmed like Telegram trims messages."""
    text, entities = _HtmlParser(source, strict_ampersand=strict_ampersand).parse()
    return _strip_text(text, entities)


# --------------------------------------------------------------------------- the fake server


ApiMethod = Callable[["FakeTelegram", JSON], Awaitable[Any]]
_M = TypeVar("_M", bound=ApiMethod)
_T = TypeVar("_T")


def api(*names: str) -> Callable[[_M], _M]:
    """Register a FakeTelegram coroutine as the implementation of Bot API method(s) names."""

    def register(method: _M) -> _M:
        method.api_names = names  # type: ignore[attr-defined]
        return method

    return register


class FakeTelegram:
    """An in-process Telegram Bot API for one bot, driven by tests acting as users."""

    # Pauses before each webhook redelivery after the first attempt fails.
    webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2)
    # Pushes in flight at once, as Telegram's max_connections (40 by default) allows; never two
    # of one chat, so a chat's updates still arrive in order. 1 keeps the tests' order simple.
    webhook_concurrency: int = 1
    strict_html_ampersand: bool = True
    hang_seconds: float = 3.0  # how long a `fail_next(kind="timeout")` call hangs
    _METHODS: ClassVar[dict[str, tuple[str, ApiMethod]]] = {}  # lower name -> (name, impl)

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "cogep_test_bot",
        first_update_id: int = 700_000_001,
    ) -> None:
        """`first_update_id`: give each fake its own ids when several share one inbox."""
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Cogep",
            "username": bot_username,
        }
        self.calls: list[Call] = []
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._changed = _Signal()
        self._stopping = False
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._downloads_open = asyncio.Event()
        self._downloads_open.set()
        self.downloads_started = 0
        self._open_callbacks: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._held_chats: set[int] = set()
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_button: JSON = {"type": "commands"}  # the bot-wide default (setChatMenuButton)
        self._pending: list[JSON] = []
        self._allowed: frozenset[str] | None = None
        self._poller: asyncio.Future[str] | None = None
        self._webhook: JSON | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._next_update_id = first_update_id
        self._unconfirmed: list[JSON] = []  # redelivered copies the next offset must not drop
        self.limits: FloodLimits | None = None  # Telegram's flood control, off unless set
        self._sent_at: list[float] = []
        self._chat_sent_at: dict[int, list[float]] = {}

    # ----------------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """Bot API URL prefix; PTB appends the token."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """File download URL prefix; PTB appends the token."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    async def start(self) -> None:
        """Listen on a free 127.0.0.1 port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        self._stopping = False

    async def stop(self) -> None:
        """End long polls and webhook delivery, then shut the server down."""
        self._stopping = True
        self._downloads_open.set()
        self._changed.fire()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # ----------------------------------------------------------------------- acting as users

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "pt-br",
    ) -> JSON:
        """Register a user (and their private chat with the bot); return the User object."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self._users[user_id] = user
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        chat.update({key: value for key, value in optional.items() if key != "language_code"})
        self._chats[user_id] = {key: value for key, value in chat.items() if value is not None}
        return user

    def group(self, chat_id: int, title: str) -> JSON:
        """Register a group (or a supergroup for -100… ids); return the Chat object."""
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        self._chats[chat_id] = {"id": chat_id, "type": kind, "title": title}
        return self._chats[chat_id]

    def send_text(
        self,
        user: JSON,
        text: str,
        *,
        chat: JSON | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Queue a text message from user (private chat by default)."""
        fields: JSON = {"text": text}
        entities = _user_entities(text)
        if entities:
            fields["entities"] = entities
        message = self._user_message(user, chat, fields, reply_to_message_id)
        return self._queue({"message": message})

    def press(self, user: JSON, message_id: int, data: str, *, chat: JSON | None = None) -> JSON:
        """Queue a callback_query for a button with data on a bot message (data isn't checked)."""
        target = chat or self._private_chat(user)
        stored = self._messages.get(target["id"], {}).get(message_id)
        message = (
            _public(stored)
            if stored is not None
            else {"chat": target, "message_id": message_id, "date": 0}  # InaccessibleMessage
        )
        query_id = str(9_000_000_000 + next(self._ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(abs(hash(target["id"]))),
            "data": data,
        }
        return self._queue({"callback_query": query})

    def forward_text(self, user: JSON, text: str, *, de: JSON) -> JSON:
        """Queue a message `user` forwarded into their private chat, written by `de` (a user)."""
        origem = {"type": "user", "date": int(time.time()) - 3600, "sender_user": de}
        message = self._user_message(user, None, {"text": text, "forward_origin": origem})
        return self._queue({"message": message})

    def inline_query(self, user: JSON, query: str, *, chat_type: str = "sender") -> JSON:
        """Queue an inline query: `user` typed `@bot query` in some chat."""
        query_id = str(7_000_000_000 + next(self._ids))
        inline: JSON = {
            "id": query_id,
            "from": user,
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        }
        self._open_inline_queries.add(query_id)
        return self._queue({"inline_query": inline})

    def inline_answers(self) -> list[JSON]:
        """Parameters of every successful answerInlineQuery call."""
        return [call.params for call in self.calls_to("answerInlineQuery") if call.error is None]

    def send_document(
        self,
        user: JSON,
        filename: str,
        content: bytes,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: JSON | None = None,
    ) -> JSON:
        """Queue a document message from user; getFile and download then serve its content."""
        stored = self._store_file(filename, content, mime_type)
        fields: JSON = {"document": stored.as_document()}
        if caption is not None:
            fields["caption"] = caption
        return self._queue({"message": self._user_message(user, chat, fields)})

    def send_voice(
        self,
        user: JSON,
        content: bytes,
        *,
        duration: int,
        chat: JSON | None = None,
        reply_to: JSON | None = None,
        audio: bool = False,
    ) -> JSON:
        """Queue a voice note (or, with `audio`, an audio file) from user; getFile and download
        then serve its content."""
        stored = self._store_file("voz.oga" if not audio else "audio.mp3", content,
                                  "audio/ogg" if not audio else "audio/mpeg")  # fmt: skip
        media = {k: v for k, v in stored.as_document().items() if k != "file_name"}
        fields: JSON = {"audio" if audio else "voice": {**media, "duration": duration}}
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        return self._queue({"message": self._user_message(user, chat, fields)})

    def send_photo(
        self,
        user: JSON,
        sizes: list[bytes],
        *,
        caption: str | None = None,
        chat: JSON | None = None,
        reply_to: JSON | None = None,
    ) -> JSON:
        """Queue a photo from user, in the sizes given (smallest first, as Telegram lists
        them); getFile and download then serve each size's content."""
        photo = []
        for i, content in enumerate(sizes):
            stored = self._store_file(f"photo_{i}.jpg", content, "image/jpeg")
            photo.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "width": 90 * (i + 1), "height": 60 * (i + 1),
                          "file_size": len(content)})  # fmt: skip
        fields: JSON = {"photo": photo}
        if caption is not None:
            fields["caption"] = caption
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        return self._queue({"message": self._user_message(user, chat, fields)})

    def send_sticker(self, user: JSON, *, chat: JSON | None = None) -> JSON:
        """Queue a sticker message from user."""
        number = next(self._ids)
        sticker = {
            "file_id": f"CAACAgIAAxkBAAI{number}",
            "file_unique_id": f"AgAD{number}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._queue({"message": self._user_message(user, chat, {"sticker": sticker})})

    def edit_text(
        self, user: JSON, message_id: int, new_text: str, *, chat: JSON | None = None
    ) -> JSON:
        """Queue an edited_message update for a text message user sent earlier."""
        target = chat or self._private_chat(user)
        message = self._messages.get(target["id"], {}).get(message_id)
        if message is None or message.get("from", {}).get("id") != user["id"]:
            raise KeyError(f"user {user['id']} has no message {message_id} in chat {target['id']}")
        message["text"] = new_text
        message["edit_date"] = int(time.time())
        message.pop("entities", None)
        if entities := _user_entities(new_text):
            message["entities"] = entities
        return self._queue({"edited_message": copy.deepcopy(message)})

    def channel_post(self, chat_id: int, text: str) -> JSON:
        """Queue a channel_post in a channel (registered on first use)."""
        chat = self._chats.setdefault(
            chat_id, {"id": chat_id, "type": "channel", "title": f"Channel {chat_id}"}
        )
        message = self._new_message(chat, {"sender_chat": chat, "text": text})
        return self._queue({"channel_post": copy.deepcopy(message)})

    def my_chat_member(self, user: JSON, *, new_status: str, chat: JSON | None = None) -> JSON:
        """Queue a change of the bot's membership made by `user`.

        In a private chat: the user blocking ("kicked") or unblocking ("member") the bot, which
        also updates block(). In a group (`chat`): `user` adding ("member", "administrator") or
        removing ("left", "kicked") the bot.
        """
        present = ("member", "administrator")
        if chat is None:
            old_status = "member" if new_status == "kicked" else "kicked"
            if new_status == "kicked":
                self.block(user["id"])
            else:
                self.unblock(user["id"])
        else:
            old_status = "left" if new_status in present else "member"

        def member(status: str) -> JSON:
            extra: JSON = {"until_date": 0} if status == "kicked" else {}
            if status == "administrator":  # the rights a bot admin gets by default
                rights = ("can_manage_chat", "can_delete_messages", "can_invite_users")
                others = ("can_be_edited", "is_anonymous", "can_manage_video_chats",
                          "can_restrict_members", "can_promote_members", "can_change_info",
                          "can_post_stories", "can_edit_stories", "can_delete_stories")  # fmt: skip
                extra = {**dict.fromkeys(rights, True), **dict.fromkeys(others, False)}
            return {"status": status, "user": self.bot_user, **extra}

        event = {
            "chat": chat or self._private_chat(user),
            "from": user,
            "date": int(time.time()),
            "old_chat_member": member(old_status),
            "new_chat_member": member(new_status),
        }
        return self._queue({"my_chat_member": event})

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw Update dict; assigns update_id if missing."""
        return self._queue(update)

    # ----------------------------------------------------------------------- reading results

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one Bot API method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """Messages the bot sent to chat_id, oldest first, in their current (edited) state.

        Besides the API fields, each carries ``parse_mode`` and ``source_text`` (the text as the
        bot sent it) and ``reply_keyboard`` for non-inline reply markup.
        """
        messages = self._messages.get(chat_id, {}).values()
        return [copy.deepcopy(m) for m in messages if m.get("from", {}).get("id") == self.bot_id]

    def backdate(self, chat_id: int, message_id: int, when: float) -> None:
        """Pretend the message was sent at `when` (Unix time), as later updates will see it."""
        self._messages[chat_id][message_id]["date"] = int(when)

    def mark(self, chat_id: int) -> int:
        """Marker for wait_for_message(after=...): the chat's latest message_id so far."""
        return self._last_message_id.get(chat_id, 0)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        predicate: Callable[[JSON], bool] | None = None,
        after: int = 0,
        timeout: float = 5.0,
    ) -> JSON:
        """Wait for the first bot message in chat_id newer than marker after matching predicate."""

        def probe() -> JSON | None:
            for message in self.chat_messages(chat_id):
                if message["message_id"] > after and (predicate is None or predicate(message)):
                    return message
            return None

        found = await self._wait_until(probe, timeout)
        if found is None:
            raise AssertionError(
                f"no bot message in chat {chat_id} after #{after} matched within {timeout}s; "
                f"bot messages there:\n{self._dump_chat(chat_id)}"
            )
        return found

    async def wait_for_call(
        self,
        method: str,
        *,
        predicate: Callable[[Call], bool] | None = None,
        after: int = 0,
        timeout: float = 5.0,
    ) -> Call:
        """Wait for a call to method (skipping the first ``after`` entries of calls)."""

        def probe() -> Call | None:
            for call in self.calls[after:]:
                if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                    return call
            return None

        found = await self._wait_until(probe, timeout)
        if found is None:
            seen = ", ".join(call.method for call in self.calls[after:]) or "none"
            raise AssertionError(f"no matching {method} call within {timeout}s; calls: {seen}")
        return found

    async def wait_for(
        self,
        condition: Callable[[], _T | None],
        *,
        timeout: float = 5.0,
    ) -> _T:
        """Wait until condition() returns a truthy value (re-checked on every state change)."""
        found = await self._wait_until(lambda: condition() or None, timeout)
        if found is None:
            raise AssertionError(f"condition not met within {timeout}s")
        return found

    def answered_callbacks(self) -> list[JSON]:
        """Parameters of every successful answerCallbackQuery call."""
        return [call.params for call in self.calls_to("answerCallbackQuery") if call.error is None]

    def webhook_info(self) -> JSON:
        """The current getWebhookInfo result."""
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info.update({k: v for k, v in self._webhook.items() if k != "secret_token"})
        return info

    async def _wait_until(self, probe: Callable[[], _T | None], within: float) -> _T | None:
        """Re-run probe on every change until it returns non-None or `within` seconds pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (found := probe()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await asyncio.wait({self._changed.waiter()}, timeout=remaining)
        return found

    def _dump_chat(self, chat_id: int) -> str:
        """Human-readable listing of the bot's messages in a chat."""
        lines = []
        for message in self.chat_messages(chat_id):
            buttons = [
                f"[{button.get('text')}|{button.get('callback_data', button.get('url', ''))}]"
                for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
            ]
            body = message.get("text", message.get("caption", "<no text>"))
            lines.append(f"  #{message['message_id']}: {body!r} {' '.join(buttons)}".rstrip())
        return "\n".join(lines) or "  (none)"

    # ----------------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        after: int = 0,
        kind: str = "status",
    ) -> None:
        """Answer the next `times` calls to method (optionally only for chat_id) with an error,
        after letting `after` of them through. `kind="timeout"` instead holds the call for
        `hang_seconds` and does nothing (the client's read timeout fires first);
        `kind="network"` closes the connection without an answer."""
        assert kind in ("status", "timeout", "network"), kind
        parameters: JSON = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        error = ApiError(error_code, description, parameters or None)
        self._faults.append(_Fault(method.lower(), error, times, chat_id, after, kind))

    def hold_downloads(self) -> None:
        """Make file downloads wait (a slow network, or a bot killed mid-download)."""
        self._downloads_open.clear()

    def release_downloads(self) -> None:
        """Let held and future downloads through."""
        self._downloads_open.set()

    def hold_chat(self, chat_id: int) -> None:
        """Make calls about `chat_id` wait (a Bot API stuck for that chat). A held call whose
        client went away meanwhile is never carried out: Telegram never got it."""
        self._held_chats.add(chat_id)

    def release_chat(self, chat_id: int) -> None:
        """Let the held calls about `chat_id` through."""
        self._held_chats.discard(chat_id)
        self._changed.fire()

    def redeliver(self, update: JSON) -> JSON:
        """Deliver `update` once more, as Telegram does when the bot's confirmation (the next
        getUpdates offset) or a webhook's 200 was lost: same update_id, same content."""
        again = copy.deepcopy(update)
        self._unconfirmed.append(again)
        self._pending.append(again)
        self._changed.fire()
        return again

    def block(self, user_id: int) -> None:
        """Make sends to user_id fail with 403 as if the user blocked the bot."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self._blocked.discard(user_id)

    def enforce_limits(self, limits: FloodLimits | None = None) -> FloodLimits:
        """Answer sends beyond Telegram's rates with 429 and a retry_after, as Telegram does."""
        self.limits = limits or FloodLimits()
        return self.limits

    def _flood_check(self, method: str, params: JSON) -> ApiError | None:
        """429 for a send over the overall rate, the chat's rate, or the group's per minute."""
        limits = self.limits
        if limits is None or method not in _FLOOD_METHODS:
            return None
        if limits.random_429 and limits.rng.random() < limits.random_429:
            limits.refused += 1
            return ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        now = time.monotonic()
        chat_id = params.get("chat_id")
        overall = self._sent_at
        while overall and overall[0] <= now - 1.0:
            overall.pop(0)
        mine = self._chat_sent_at.setdefault(chat_id if isinstance(chat_id, int) else 0, [])
        window, allowed = (
            (60.0, limits.group_per_minute)
            if _is_group(chat_id)
            else (1.0, limits.per_chat_per_second)
        )
        while mine and mine[0] <= now - window:
            mine.pop(0)
        if len(overall) >= limits.per_second:
            wait = overall[0] + 1.0 - now
        elif len(mine) >= allowed:
            wait = mine[0] + window - now
        else:
            overall.append(now)
            mine.append(now)
            return None
        limits.refused += 1
        retry_after = max(1, round(wait * limits.retry_after_scale))
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        """Consume and return the first injected fault matching this call, if any."""
        for fault in self._faults:
            if fault.method != method.lower():
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if fault.after > 0:
                fault.after -= 1
                return None
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return None

    # ----------------------------------------------------------------------- HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Serve POST/GET /bot<token>/<method>."""
        if request.match_info["token"] != self.token:
            return _json_error(ApiError(401, "Unauthorized"))
        name, handler = self._METHODS.get(request.match_info["method"].lower(), (None, None))
        params = await _read_params(request)
        while str(params.get("chat_id")) in {str(c) for c in self._held_chats}:
            await asyncio.shield(self._changed.waiter())
        if request.transport is None or request.transport.is_closing():
            return web.Response(status=499)  # the bot gave up on this call: nothing was done
        call = Call(name or request.match_info["method"], params, time.monotonic())
        self.calls.append(call)
        self._changed.fire()
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            injected = self._take_fault(call.method, params)
            if injected is not None and injected.kind == "timeout":
                await asyncio.sleep(self.hang_seconds)
                raise injected.error
            if injected is not None and injected.kind == "network":
                call.error = {"network": "connection closed"}
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            fault = injected.error if injected is not None else None
            fault = fault or self._flood_check(call.method, params)
            if fault is not None:
                raise fault
            call.result = await handler(self, params)
        except ApiError as exc:
            call.error = exc.payload()
            return _json_error(exc)
        finally:
            self._changed.fire()
        return web.json_response({"ok": True, "result": call.result})

    async def _handle_download(self, request: web.Request) -> web.Response:
        """Serve GET /file/bot<token>/<file_path> (waiting while downloads are held)."""
        if request.match_info["token"] != self.token:
            return _json_error(ApiError(401, "Unauthorized"))
        self.downloads_started += 1
        self._changed.fire()
        await self._downloads_open.wait()
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return _json_error(ApiError(404, "Not Found"))

    # ----------------------------------------------------------------------- state helpers

    def _queue(self, update: JSON) -> JSON:
        """Append an update to the pending queue, assigning update_id if missing."""
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._pending.append(update)
        self._changed.fire()
        return update

    def _private_chat(self, user: JSON) -> JSON:
        """The private chat with user, registering the user if needed."""
        if user["id"] not in self._chats:
            self.user(user["id"], user.get("first_name", ""), username=user.get("username"))
        return self._chats[user["id"]]

    def _new_message(self, chat: JSON, fields: JSON) -> JSON:
        """Store a message in chat with the next message_id."""
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, **fields}
        self._messages.setdefault(chat["id"], {})[message_id] = message
        self._changed.fire()
        return message

    def _user_message(
        self,
        user: JSON,
        chat: JSON | None,
        fields: JSON,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Store a message from user; return a copy for the update."""
        target = chat or self._private_chat(user)
        extra: JSON = {"from": user}
        if reply_to_message_id is not None:
            replied = self._messages.get(target["id"], {}).get(reply_to_message_id)
            if replied is None:
                raise KeyError(f"no message {reply_to_message_id} in chat {target['id']}")
            extra["reply_to_message"] = _public(replied)
        return copy.deepcopy(self._new_message(target, {**extra, **fields}))

    def _store_file(self, filename: str, content: bytes, mime_type: str) -> _StoredFile:
        """Remember a file so getFile and the download route can serve it."""
        number = next(self._ids)
        suffix = PurePosixPath(filename).suffix
        stored = _StoredFile(
            file_id=f"BQACAgEAAxkBAAI{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"documents/file_{number}{suffix}",
            file_name=filename,
            mime_type=mime_type,
            content=content,
        )
        self._files[stored.file_id] = stored
        return stored

    def _chat_for_send(self, params: JSON) -> JSON:
        """Resolve chat_id for a send/edit: 400 if unknown, 403 if the user blocked the bot."""
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if isinstance(chat_id, str):
            username = chat_id.removeprefix("@").lower()
            chat = next(
                (c for c in self._chats.values() if c.get("username", "").lower() == username),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        if chat["id"] in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _bot_message(self, chat: JSON, fields: JSON, params: JSON) -> JSON:
        """Store a message from the bot, with reply_to and reply markup taken from params."""
        extra: JSON = {"from": self.bot_user}
        # PTB sends reply_parameters; reply_to_message_id is the pre-7.0 spelling.
        reply = params.get("reply_parameters") or {
            "message_id": params.get("reply_to_message_id"),
            "allow_sending_without_reply": params.get("allow_sending_without_reply"),
        }
        if reply["message_id"] is not None:
            replied = self._messages.get(chat["id"], {}).get(reply["message_id"])
            if replied is not None:
                extra["reply_to_message"] = _public(replied)
            elif not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        extra.update(_markup_fields(params.get("reply_markup"), chat_type=chat.get("type")))
        return self._new_message(chat, {**extra, **fields})

    def _message_to_edit(self, params: JSON) -> JSON:
        """Find the bot message named by chat_id + message_id for an edit."""
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")
        chat = self._chat_for_send(params)
        message = self._messages.get(chat["id"], {}).get(params.get("message_id", 0))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    def _format(
        self, text: str, params: JSON, *, caption: bool = False
    ) -> tuple[str, list[JSON], str | None]:
        """Apply parse_mode or explicit entities to a text or caption.

        Returns (plain text, entities, parse_mode). Captions share ``parse_mode`` with texts but
        take explicit entities from ``caption_entities``.
        """
        parse_mode = params.get("parse_mode")
        given = params.get("caption_entities" if caption else "entities")
        if given is not None:
            plain, entities = _strip_text(text, copy.deepcopy(given))
        elif parse_mode is None or parse_mode.lower() in ("markdownv2", "markdown"):
            plain, entities = _strip_text(text, [])
        elif parse_mode.lower() == "html":
            try:
                plain, entities = parse_html(text, strict_ampersand=self.strict_html_ampersand)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        if caption and len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        if not caption and len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return plain, entities, parse_mode

    # ----------------------------------------------------------------------- Bot API methods

    @api("getMe")
    async def _api_get_me(self, params: JSON) -> JSON:
        """getMe."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api("logOut", "close", "setMessageReaction", "sendMessageDraft")
    async def _api_true(self, params: JSON) -> bool:
        """logOut, close, setMessageReaction, sendMessageDraft: accepted, nothing recorded."""
        return True

    @api("sendMessage")
    async def _api_send_message(self, params: JSON) -> JSON:
        """sendMessage."""
        chat = self._chat_for_send(params)
        source = str(params.get("text", ""))
        text, entities, parse_mode = self._format(source, params)
        if not text:
            raise bad_request("message text is empty")
        fields: JSON = {"text": text}
        if entities:
            fields["entities"] = entities
        fields.update(parse_mode=parse_mode, source_text=source)
        return _public(self._bot_message(chat, fields, params))

    @api("editMessageText")
    async def _api_edit_message_text(self, params: JSON) -> JSON:
        """editMessageText."""
        message = self._message_to_edit(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        source = str(params.get("text", ""))
        text, entities, parse_mode = self._format(source, params)
        if not text:
            raise bad_request("message text is empty")
        chat_type = message["chat"].get("type")
        markup = _markup_fields(params.get("reply_markup"), chat_type=chat_type).get("reply_markup")
        current = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if current == (text, entities, markup):
            raise bad_request(NOT_MODIFIED)
        message.update(text=text, parse_mode=parse_mode, source_text=source)
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return _public(message)

    @api("editMessageReplyMarkup")
    async def _api_edit_message_reply_markup(self, params: JSON) -> JSON:
        """editMessageReplyMarkup."""
        message = self._message_to_edit(params)
        markup = _markup_fields(params.get("reply_markup")).get("reply_markup")
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return _public(message)

    @api("deleteMessage")
    async def _api_delete_message(self, params: JSON) -> bool:
        """deleteMessage."""
        chat = self._chat_for_send(params)
        if self._messages.get(chat["id"], {}).pop(params.get("message_id", 0), None) is None:
            raise bad_request("message to delete not found")
        return True

    @api("answerCallbackQuery")
    async def _api_answer_callback_query(self, params: JSON) -> bool:
        """answerCallbackQuery: each query can be answered once."""
        if len(str(params.get("text", ""))) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        return True

    @api("sendChatAction")
    async def _api_send_chat_action(self, params: JSON) -> bool:
        """sendChatAction."""
        self._chat_for_send(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    @api("sendDocument")
    async def _api_send_document(self, params: JSON) -> JSON:
        """sendDocument, by multipart upload or by a known file_id."""
        chat = self._chat_for_send(params)
        document = params.get("document")
        if isinstance(document, Upload):
            stored = self._store_file(document.filename, document.content, document.mime_type)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        fields: JSON = {"document": stored.as_document()}
        if "caption" in params:
            source = str(params["caption"])
            caption, entities, parse_mode = self._format(source, params, caption=True)
            if caption:
                fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
            fields.update(parse_mode=parse_mode, source_text=source)
        return _public(self._bot_message(chat, fields, params))

    @api("answerInlineQuery")
    async def _api_answer_inline_query(self, params: JSON) -> bool:
        """answerInlineQuery: once per query, at most 50 results with unique ids, as Telegram."""
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open_inline_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        resultados = params.get("results") or []
        if isinstance(resultados, str):
            resultados = json.loads(resultados)
        ids = [r.get("id") for r in resultados]
        if len(resultados) > 50 or len(set(ids)) != len(ids):
            raise bad_request("RESULTS_TOO_MUCH" if len(resultados) > 50 else "RESULT_ID_DUPLICATE")
        self._open_inline_queries.discard(query_id)
        params["results"] = resultados
        return True

    @api("sendPhoto")
    async def _api_send_photo(self, params: JSON) -> JSON:
        """sendPhoto by multipart upload; like Telegram, refuses what is not a PNG/JPEG image
        (and, through `_format`, a caption over 1024 characters)."""
        chat = self._chat_for_send(params)
        photo = params.get("photo")
        if not isinstance(photo, Upload):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not photo.content.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            raise bad_request("IMAGE_PROCESS_FAILED")
        stored = self._store_file(photo.filename, photo.content, photo.mime_type)
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        foto = {**size, "width": 900, "height": 850, "file_size": len(photo.content)}
        fields: JSON = {"photo": [foto]}
        if "caption" in params:
            source = str(params["caption"])
            caption, entities, parse_mode = self._format(source, params, caption=True)
            if caption:
                fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
            fields.update(parse_mode=parse_mode, source_text=source)
        return _public(self._bot_message(chat, fields, params))

    @api("getFile")
    async def _api_get_file(self, params: JSON) -> JSON:
        """getFile; like Telegram, refuses files over the 20 MB a bot may download."""
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    @api("getChat")
    async def _api_get_chat(self, params: JSON) -> JSON:
        """getChat (a ChatFullInfo with the required fields)."""
        chat = self._chats.get(params.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise bad_request("chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    @api("getChatMember")
    async def _api_get_chat_member(self, params: JSON) -> JSON:
        """getChatMember: everyone known is a plain member."""
        if params.get("chat_id") not in self._chats:
            raise bad_request("chat not found")
        user_id = params.get("user_id")
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)  # type: ignore[arg-type]
        if user is None:
            raise bad_request("user not found")
        return {"status": "member", "user": user}

    @api("setMyCommands")
    async def _api_set_my_commands(self, params: JSON) -> bool:
        """setMyCommands, stored per scope and language."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "BOT_COMMAND_INVALID")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not _COMMAND_NAME.fullmatch(name) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_INVALID")
        self._commands[_commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    @api("setChatMenuButton")
    async def _api_set_chat_menu_button(self, params: JSON) -> bool:
        """setChatMenuButton, bot-wide default only (no chat_id); a web_app needs https."""
        botao = params.get("menu_button") or {"type": "default"}
        if botao.get("type") == "web_app":
            url = str((botao.get("web_app") or {}).get("url", ""))
            if not url.startswith("https://") or not 1 <= len(str(botao.get("text", ""))) <= 64:
                raise bad_request("BUTTON_URL_INVALID")
        self.menu_button = {"type": "commands"} if botao["type"] == "default" else botao
        return True

    @api("getChatMenuButton")
    async def _api_get_chat_menu_button(self, params: JSON) -> JSON:
        """getChatMenuButton."""
        return copy.deepcopy(self.menu_button)

    @api("getMyCommands")
    async def _api_get_my_commands(self, params: JSON) -> list[JSON]:
        """getMyCommands."""
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    @api("deleteMyCommands")
    async def _api_delete_my_commands(self, params: JSON) -> bool:
        """deleteMyCommands."""
        self._commands.pop(_commands_key(params), None)
        return True

    @api("getUpdates")
    async def _api_get_updates(self, params: JSON) -> list[JSON]:
        """getUpdates: long poll; a newer call ends an older one with 409, as Telegram does."""
        if self._webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK_ACTIVE)
        if "allowed_updates" in params:
            self._allowed = frozenset(params["allowed_updates"] or ()) or None
        self._confirm(int(params.get("offset", 0)))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        me = self._claim_poller()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout", 0)), 0.0)
        try:
            while True:
                if me.done():
                    raise ApiError(409, me.result())
                batch = self._deliverable()[:limit]
                self._unconfirmed = [r for r in self._unconfirmed if all(r is not b for b in batch)]
                remaining = deadline - loop.time()
                if batch or self._stopping or remaining <= 0:
                    return copy.deepcopy(batch)
                wakeups: set[asyncio.Future[Any]] = {self._changed.waiter(), me}
                await asyncio.wait(wakeups, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if self._poller is me:
                self._poller = None

    @api("setWebhook")
    async def _api_set_webhook(self, params: JSON) -> bool:
        """setWebhook: from now on, updates are POSTed to url."""
        url = str(params.get("url", ""))
        if not url:
            return await self._api_delete_webhook(params)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if "allowed_updates" in params:
            self._allowed = frozenset(params["allowed_updates"] or ()) or None
        self._terminate_poller(CONFLICT_SET_WEBHOOK)
        self._webhook = {"url": url, "max_connections": int(params.get("max_connections", 40))}
        if secret is not None:
            self._webhook["secret_token"] = str(secret)
        if params.get("ip_address"):
            self._webhook["ip_address"] = params["ip_address"]
        if self._allowed is not None:
            self._webhook["allowed_updates"] = sorted(self._allowed)
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        return True

    @api("deleteWebhook")
    async def _api_delete_webhook(self, params: JSON) -> bool:
        """deleteWebhook."""
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    @api("getWebhookInfo")
    async def _api_get_webhook_info(self, params: JSON) -> JSON:
        """getWebhookInfo."""
        return self.webhook_info()

    # ----------------------------------------------------------------------- drafts, rich messages
    # Bot API 9.3 drafts (private chats only), 10.1 rich messages and 10.3 `can_stop`.
    # `refuse_rich = True` answers the rich methods with 404, like a server that predates them;
    # `drafts(chat_id)` lists every draft shown there; `stop_generation` presses a draft's stop.

    refuse_rich: bool = False

    def drafts(self, chat_id: int) -> list[JSON]:
        """Every draft the bot showed in chat_id: draft_id, text, rich, can_stop, at."""
        log: dict[int, list[JSON]] = self.__dict__.setdefault("_drafts", {})
        return log.setdefault(chat_id, [])

    def stop_generation(self, user: JSON, draft_id: int) -> JSON:
        """Queue the `stopped_message_generation` update of a draft's stop button."""
        event = {"chat": self._private_chat(user), "draft_id": draft_id}
        return self._queue({"stopped_message_generation": event})

    def _draft(self, params: JSON, text: str, *, rich: bool) -> bool:
        chat = self._chat_for_send(params)
        if chat["type"] != "private":
            raise bad_request("TEXTDRAFT_PEER_INVALID")
        if not params.get("draft_id"):
            raise bad_request("DRAFT_ID_INVALID")
        entry = {"draft_id": params["draft_id"], "text": text, "rich": rich,
                 "can_stop": bool(params.get("can_stop")), "at": time.monotonic()}  # fmt: skip
        self.drafts(chat["id"]).append(entry)
        return True

    def _rich_markdown(self, params: JSON) -> str:
        if self.refuse_rich:
            raise ApiError(404, "Not Found")
        rich = params.get("rich_message")
        markdown = rich.get("markdown") if isinstance(rich, dict) else None
        if not isinstance(markdown, str):
            raise bad_request("RICH_MESSAGE_INVALID")
        return markdown

    @api("sendMessageDraft")
    async def _api_send_message_draft(self, params: JSON) -> bool:
        """sendMessageDraft: an empty text is the "Thinking..." placeholder."""
        text = str(params.get("text") or "")
        plain = self._format(text, params)[0] if text else ""
        return self._draft(params, plain, rich=False)

    @api("sendRichMessageDraft")
    async def _api_send_rich_message_draft(self, params: JSON) -> bool:
        """sendRichMessageDraft."""
        return self._draft(params, self._rich_markdown(params), rich=True)

    @api("sendRichMessage")
    async def _api_send_rich_message(self, params: JSON) -> JSON:
        """sendRichMessage: stored with its Markdown as the text (no 4096 limit)."""
        markdown = self._rich_markdown(params)
        if not markdown.strip():
            raise bad_request("message text is empty")
        chat = self._chat_for_send(params)
        fields = {"text": markdown, "rich_message": {"markdown": markdown}}
        return _public(self._bot_message(chat, fields, params))

    # ----------------------------------------------------------------------- update delivery

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by a getUpdates offset (negative: keep the last -offset)."""
        if offset > 0:
            self._pending = [
                u
                for u in self._pending
                if u["update_id"] >= offset or any(u is r for r in self._unconfirmed)
            ]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _deliverable(self) -> list[JSON]:
        """Pending updates of allowed types; updates of other types are dropped."""
        allowed = self._allowed
        self._pending = [
            u
            for u in self._pending
            if (_update_type(u) in allowed if allowed else _update_type(u) not in _OPT_IN_UPDATES)
        ]
        return self._pending

    def _claim_poller(self) -> asyncio.Future[str]:
        """Become the active getUpdates request, terminating the previous one."""
        self._terminate_poller(CONFLICT_OTHER_POLL)
        self._poller = asyncio.get_running_loop().create_future()
        return self._poller

    def _terminate_poller(self, reason: str) -> None:
        """Make the active long poll (if any) answer 409 with reason."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(reason)

    async def _deliver_to_webhook(self) -> None:
        """POST pending updates, oldest first, while a webhook is set."""
        if self.webhook_concurrency > 1:
            await self._deliver_concurrently()
            return
        while self._webhook is not None and not self._stopping:
            pending = self._deliverable()
            if not pending:
                await asyncio.wait({self._changed.waiter()})
                continue
            update = pending[0]
            await self._post_update(update)
            self._pending = [u for u in self._pending if u is not update]
            self._changed.fire()

    async def _deliver_concurrently(self) -> None:
        """Up to `webhook_concurrency` pushes at once, one per chat, oldest first."""
        flying: set[int] = set()  # id() of the updates being pushed
        chats: set[object] = set()
        tasks: set[asyncio.Task[None]] = set()

        async def push(update: JSON, chat: object) -> None:
            try:
                await self._post_update(update)
                self._pending = [u for u in self._pending if u is not update]
            finally:
                flying.discard(id(update))
                chats.discard(chat)
                self._changed.fire()

        try:
            while self._webhook is not None and not self._stopping:
                for update in self._deliverable():
                    if len(tasks) >= self.webhook_concurrency:
                        break
                    chat = _update_chat(update)
                    if id(update) in flying or chat in chats:
                        continue
                    flying.add(id(update))
                    chats.add(chat)
                    task = asyncio.create_task(push(update, chat))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await asyncio.wait({self._changed.waiter()})
        finally:
            for task in list(tasks):
                task.cancel()

    async def _post_update(self, update: JSON) -> bool:
        """Deliver one update, retrying on failure; record the last error like Telegram."""
        assert self._session is not None
        for delay in (0.0, *self.webhook_retry_delays):
            await asyncio.sleep(delay)
            webhook = self._webhook
            if webhook is None:
                return False
            headers = {}
            if "secret_token" in webhook:
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
            try:
                async with self._session.post(webhook["url"], json=update, headers=headers) as r:
                    if 200 <= r.status < 300:
                        return True
                    error = f"Wrong response from the webhook: {r.status} {r.reason}"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            webhook.update(last_error_date=int(time.time()), last_error_message=error)
            self._changed.fire()
        return False


# --------------------------------------------------------------------------- module helpers


def _json_error(error: ApiError) -> web.Response:
    """HTTP response for an ApiError: status == error_code, Bot API JSON body."""
    return web.json_response(error.payload(), status=error.error_code)


async def _read_params(request: web.Request) -> JSON:
    """Decode query, form, multipart or JSON parameters into typed values."""
    params: JSON = {key: _decode_field(key, value) for key, value in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body or {})
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            content = value.file.read()
            params[key] = Upload(value.filename, content, value.content_type)
        else:
            params[key] = _decode_field(key, str(value))
    return params


def _decode_field(name: str, value: str) -> Any:
    """PTB JSON-encodes every non-string value; String-typed fields arrive verbatim."""
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _public(message: JSON) -> JSON:
    """A deep copy of a stored message without the fake's view-only keys."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k not in _VIEW_ONLY_KEYS}


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    """Set target[key] to value, or remove the key when value is None."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def _markup_fields(markup: Any, *, chat_type: str | None = None) -> JSON:
    """Validate reply_markup; inline keyboards go on the message, others only in the view.

    As on Telegram, a `web_app` button needs an https URL and a private chat."""
    if markup is None:
        return {}
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return {"reply_keyboard": markup}
    for button in itertools.chain.from_iterable(rows):
        actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
        if not actions:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
        if "web_app" in button:
            url = str((button["web_app"] or {}).get("url", ""))
            if not url.startswith("https://") or chat_type not in (None, "private"):
                raise bad_request("BUTTON_TYPE_INVALID")
    return {"reply_markup": markup}


def _commands_key(params: JSON) -> tuple[str, str]:
    """Storage key of a command list: (scope as canonical JSON, language code)."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


def _update_chat(update: JSON) -> object:
    """The chat (or, for a button, the person) whose updates must stay in order."""
    body = update.get(_update_type(update))
    if not isinstance(body, dict):
        return id(update)
    chat = body.get("chat") or (body.get("message") or {}).get("chat")
    if isinstance(chat, dict) and "id" in chat:
        return chat["id"]
    sender = body.get("from")
    return sender["id"] if isinstance(sender, dict) and "id" in sender else id(update)


def _update_type(update: JSON) -> str:
    """The payload key of an Update ("message", "callback_query", ...)."""
    return next((key for key in update if key != "update_id"), "")


def _user_entities(text: str) -> list[JSON]:
    """Entities Telegram detects in a user's text: a leading bot_command and @mentions."""
    entities: list[JSON] = []
    command = _COMMAND_TOKEN.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in _MENTION.finditer(text):
        offset = utf16_len(text[: mention.start()])
        entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention[0])})
    return entities


FakeTelegram._METHODS = {
    name.lower(): (name, method)
    for method in vars(FakeTelegram).values()
    for name in getattr(method, "api_names", ())
}
