"""`cogep console`: chat with the real Cogep Application in a terminal, without Telegram.

`ConsoleBotApi` is a python-telegram-bot request object that answers Bot API calls in-process:
what the bot sends is printed, what the person types becomes an Update served by getUpdates.
So the console runs exactly the handlers, services and database of `cogep run`.

Only the console person's own chat is shown: what the bot sends to anyone else (an admin's
notice, another member's reminder) is accepted and kept quiet, its buttons out of reach.
Typing a number presses the inline button with that number while the message that carries
those buttons is the latest one shown; after a question without buttons ("Digite o
comentário") a number is an answer, typed text. /sair (or Ctrl-D) leaves.

The mentor's answers stream into the terminal as its drafts grow (sendMessageDraft /
sendRichMessageDraft), and the final message prints only what the drafts had not shown yet.
"""

from __future__ import annotations

import asyncio
import html.parser
import json
import time
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text
from telegram.request import BaseRequest, RequestData

from bot.app import build_application, serving
from bot.notificacoes.ritmo import Ritmo
from bot.settings import Settings

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Cogep", "username": "cogep_console_bot"}
STYLES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
          "code": "cyan", "pre": "cyan", "a": "underline blue", "s": "strike"}  # fmt: skip
EXIT_WORDS = {"/sair", "/exit", "/quit"}


class _HtmlToRich(html.parser.HTMLParser):
    """Telegram-HTML to a rich Text, keeping bold/italic/code visible in the terminal."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self._styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._styles.append(STYLES.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if self._styles:
            self._styles.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data, style=" ".join(s for s in self._styles if s) or None)


def html_to_rich(markup: str) -> Text:
    """Render Telegram-HTML for the terminal."""
    parser = _HtmlToRich()
    parser.feed(markup)
    parser.close()
    return parser.text


class ConsoleBotApi(BaseRequest):
    """Answers the Bot API in-process for one private chat with one person."""

    def __init__(self, *, user_id: int, name: str, out: Console | None = None) -> None:
        self.user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "pt-br"}
        self.chat = {"id": user_id, "type": "private", "first_name": name}
        self.out = out or Console(highlight=False)
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.buttons: list[tuple[int, str]] = []  # (message_id, callback_data) by number
        self._messages: dict[int, dict[str, Any]] = {}
        # Unique across runs, like Telegram's: the inbox drops an update_id it has already seen.
        self._next_update = time.time_ns() // 1000
        self._next_message = 1
        self.last_output = 0.0
        self._streamed = ""  # what the current draft already printed
        self.streaming = False  # a draft is on screen and its final message has not come

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout of our own."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call."""
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.multipart_data:  # an uploaded file
            params["_arquivos"] = list(request_data.multipart_data.values())
        result = await self._answer(name, params)
        if name != "getUpdates":
            self.last_output = time.monotonic()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {**BOT_USER, "can_join_groups": False, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}  # fmt: skip
        if method == "getUpdates":
            return await self._poll(float(params.get("timeout", 0) or 0))
        if method in ("sendMessage", "sendRichMessage", "sendDocument", "sendPhoto") and (
            not self._nosso(params.get("chat_id"))
        ):
            return self._store(params)  # someone else's chat: not for this terminal
        if method == "sendMessage":
            return self._show(self._store(params))
        if method in ("sendDocument", "sendPhoto"):
            return self._arquivo(method, params)
        if method == "sendMessageDraft":
            self._stream(html_to_rich(self._draft_text(params)).plain)
            return True
        if method == "sendRichMessageDraft":
            self._stream(self._draft_text(params))
            return True
        if method == "sendRichMessage":
            rich = self._store({**params, "text": self._draft_text(params)})
            return self._show(rich, markdown=True)
        if method == "deleteMessage":
            return True
        if method in ("editMessageText", "editMessageReplyMarkup"):
            message = self._messages.get(int(params.get("message_id", 0)))
            if message is None or not self._nosso(message["chat"]["id"]):
                return True
            message.update({k: v for k, v in params.items() if k in ("text", "reply_markup")})
            if "reply_markup" not in params:
                message.pop("reply_markup", None)
            return self._show(message, edited=True)
        if method == "answerCallbackQuery" and params.get("text"):
            self.out.print(Text(f"  ⓘ {params['text']}", style="yellow"))
        return True

    async def _poll(self, wait: float) -> list[dict[str, Any]]:
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout=max(wait, 0.05))
        except TimeoutError:
            return []
        batch = [first]
        while not self.updates.empty():
            batch.append(self.updates.get_nowait())
        return batch

    def _nosso(self, chat_id: object) -> bool:
        """Whether a send goes to the console person's own chat."""
        return str(chat_id) == str(self.chat["id"])

    def _arquivo(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """A document or photo: say what came, since a terminal cannot show it."""
        message = self._store(params)
        nome, conteudo = "arquivo", b""
        for arquivo in params.get("_arquivos", []):
            nome, conteudo = arquivo[0] or nome, arquivo[1]
        tamanho = len(conteudo) if isinstance(conteudo, bytes) else 0
        self.out.print(Text("\nCogep:", style="bold green"))
        self.out.print(Text(f"📎 {nome} ({tamanho} bytes)", style="cyan"))
        if params.get("caption"):
            self.out.print(html_to_rich(str(params["caption"])))
        kind = "document" if method == "sendDocument" else "photo"
        message[kind] = {"file_id": f"console-{message['message_id']}", "file_unique_id": "c"}
        if kind == "photo":
            message["photo"] = [{**message["photo"], "width": 1, "height": 1}]
        return self._buttons(message)

    def _store(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id", self.chat["id"])
        chat = self.chat if self._nosso(chat_id) else {"id": int(chat_id), "type": "private"}
        message = {"message_id": self._next_message, "date": int(time.time()),
                   "chat": chat, "from": BOT_USER, "text": params.get("text", "")}  # fmt: skip
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[self._next_message] = message
        self._next_message += 1
        return message

    @staticmethod
    def _draft_text(params: dict[str, Any]) -> str:
        rich = params.get("rich_message")
        if isinstance(rich, str):
            rich = json.loads(rich)
        if isinstance(rich, dict):
            return str(rich.get("markdown", ""))
        return str(params.get("text") or "")

    def _stream(self, text: str) -> None:
        """Print what a growing draft (plain text) added since the last one."""
        self.streaming = True
        if not text:
            return  # the "thinking" placeholder
        if not self._streamed:
            self.out.print(Text("\nProf. Anatoly:", style="bold green"))
        if text.startswith(self._streamed):
            self.out.print(Text(text[len(self._streamed) :]), end="")
        else:  # the draft was rewritten (a new tool round, a cut): show it again whole
            self.out.print(Text("\n" + text), end="")
        self._streamed = text

    def _show(
        self, message: dict[str, Any], *, edited: bool = False, markdown: bool = False
    ) -> dict[str, Any]:
        raw = str(message.get("text", ""))
        shown = Text(raw) if markdown else html_to_rich(raw)
        streamed, self._streamed, self.streaming = self._streamed, "", False
        if streamed and not edited and shown.plain.startswith(streamed):
            self.out.print(Text(shown.plain[len(streamed) :]))  # the rest of a streamed answer
            return self._buttons(message, edited=edited)
        prefix = "Cogep (editado)" if edited else "Cogep"
        self.out.print(Text(f"\n{prefix}:", style="bold green"))
        # A rich message that was not streamed is shown rendered, not as its Markdown source.
        self.out.print(Markdown(raw) if markdown else shown)
        return self._buttons(message, edited=edited)

    def _buttons(self, message: dict[str, Any], *, edited: bool = False) -> dict[str, Any]:
        """Number the message's buttons; a new message without any (a question) ends the old
        ones' turn, so a number typed next is an answer, not a press."""
        teclado = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        dono = self.buttons[0][0] if self.buttons else None
        if not teclado and (not edited or dono == message["message_id"]):
            self.buttons = []
        if teclado:
            self.buttons = []
            for row in teclado:
                labels = []
                for button in row:
                    self.buttons.append((message["message_id"], button.get("callback_data", "")))
                    labels.append(f"[{len(self.buttons)}] {button['text']}")
                self.out.print(Text("   ".join(labels), style="magenta"))
        return message

    def type_line(self, line: str) -> None:
        """Turn what the person typed into an Update: a button press or a message."""
        stripped = line.strip()
        if stripped.isdigit() and 0 < int(stripped) <= len(self.buttons):
            message_id, data = self.buttons[int(stripped) - 1]
            self._push({"callback_query": {"id": str(self._next_update), "from": self.user,
                        "chat_instance": "console", "data": data,
                        "message": self._messages[message_id]}})  # fmt: skip
            return
        message: dict[str, Any] = {"message_id": self._next_message, "date": int(time.time()),
                                   "chat": self.chat, "from": self.user, "text": line}  # fmt: skip
        self._next_message += 1
        if stripped.startswith("/"):
            command = line.lstrip().split(maxsplit=1)[0]
            offset = len(line) - len(line.lstrip())
            message["entities"] = [
                {"type": "bot_command", "offset": offset, "length": len(command)}
            ]
        self._push({"message": message})

    def _push(self, update: dict[str, Any]) -> None:
        update["update_id"] = self._next_update
        self._next_update += 1
        self.updates.put_nowait(update)


ADMIN_ID = 1
MEMBRO_ID = 2  # `--membro` is someone else: id 1 may have been made an admin by an earlier run


async def run_console(
    settings: Settings, *, user_id: int | None = None, name: str, admin: bool = True
) -> None:
    """Run the bot against the terminal until /sair or end of input.

    The person at the terminal is an admin by default: whoever runs the console owns the
    database it opens, and trying Cogep should show all of it. Without an id, the admin is
    Telegram id 1 and the membro id 2: two people, as a papel once given is kept.
    """
    if user_id is None:
        user_id = ADMIN_ID if admin else MEMBRO_ID
    api = ConsoleBotApi(user_id=user_id, name=name)
    admins = settings.admin_telegram_ids | {user_id} if admin else settings.admin_telegram_ids
    settings = settings.model_copy(
        # No web server either: the terminal is the only way in.
        update={
            "telegram_bot_token": None,
            "admin_telegram_ids": admins,
            "webhook_url": None,
            "web_port": None,
        }
    )
    app = build_application(settings, request=api, migrate=True, ritmo=Ritmo.livre())
    api.out.print(Text("Cogep no terminal. Digite /start para começar, um número para tocar "
                       "num botão e /sair para sair.", style="dim"))  # fmt: skip
    async with serving(app, poll_timeout=1):
        while True:
            try:
                line = await asyncio.to_thread(input, "\nvocê> ")
            except EOFError:
                break
            if line.strip().lower() in EXIT_WORDS:
                break
            if line.strip():
                api.type_line(line)
                await _settle(api)


async def _settle(api: ConsoleBotApi, *, quiet: float = 0.3, patience: float = 180.0) -> None:
    """Wait until the bot answered and then stayed quiet, so the prompt follows the reply."""
    typed_at = time.monotonic()
    deadline = typed_at + patience
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        answered = api.last_output > typed_at
        quieto = time.monotonic() - api.last_output > quiet and not api.streaming
        if api.updates.empty() and answered and quieto:
            return
