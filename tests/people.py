"""People in a story: a user of the fake Telegram who types, presses buttons and reads replies.

ana = Pessoa(tg, 101, "Ana")
await ana.diz("/start")                       # waits for the bot's reply in Ana's chat
msg = await ana.diz("/processo 1")
await ana.toca(msg, "Concluir")               # press the button whose label contains this
await ana.ve("concluído")                     # a new or edited message containing the text
"""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import FakeTelegram

JSON = dict[str, Any]
SHOWN = (
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendRichMessage", "sendDocument",
    "sendPhoto",
)  # fmt: skip


class Pessoa:
    """One Telegram user talking to the bot in a private chat (or a given group)."""

    def __init__(
        self, tg: FakeTelegram, user_id: int, nome: str, *, username: str | None = None
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.user = tg.user(user_id, nome, username=username)
        self._cursor = len(tg.calls)

    def envia(self, text: str, *, chat: JSON | None = None) -> None:
        """Send a message without waiting."""
        self._cursor = len(self.tg.calls)
        self.tg.send_text(self.user, text, chat=chat)

    async def manda_sticker(self) -> JSON:
        """Send a sticker and return the bot's reply."""
        self._cursor = len(self.tg.calls)
        self.tg.send_sticker(self.user)
        return await self.ve(None)

    async def diz(self, text: str, *, chat: JSON | None = None, timeout: float = 5.0) -> JSON:
        """Send a message and return the bot's first reply in that chat."""
        self.envia(text, chat=chat)
        return await self.ve(None, chat_id=(chat or {}).get("id", self.id), timeout=timeout)

    async def toca(self, message: JSON, label: str, *, timeout: float = 5.0) -> JSON:
        """Press the inline button whose text contains `label`; return the next screen."""
        data = self.botao(message, label)
        return await self.toca_dados(message["message_id"], data, timeout=timeout)

    async def toca_dados(self, message_id: int, data: str, *, timeout: float = 5.0) -> JSON:
        """Press a button by its raw callback data (forged ones included)."""
        self._cursor = len(self.tg.calls)
        self.tg.press(self.user, message_id, data)
        await self.tg.wait_for_call("answerCallbackQuery", after=self._cursor, timeout=timeout)
        return await self.ve(None, timeout=timeout, required=False) or {}

    async def ve(
        self,
        contains: str | None,
        *,
        chat_id: int | None = None,
        timeout: float = 5.0,
        required: bool = True,
    ) -> JSON:
        """The first message sent or edited in the chat since our last action (with the text)."""
        chat = self.id if chat_id is None else chat_id

        def probe() -> JSON | None:
            for call in self.tg.calls[self._cursor :]:
                if call.method not in SHOWN or call.error is not None:
                    continue
                if call.params.get("chat_id") != chat or not isinstance(call.result, dict):
                    continue
                current = self._current(chat, call.result["message_id"])
                if contains is None or contains.lower() in current.get("text", "").lower():
                    return current
            return None

        try:
            return await self.tg.wait_for(probe, timeout=timeout if required else 1.0)
        except AssertionError:
            if not required:
                return {}
            texts = [m.get("text", "")[:300] for m in self.tg.chat_messages(chat)[-5:]]
            raise AssertionError(f"{contains!r} not seen; last messages: {texts}") from None

    def respostas(self) -> list[str]:
        """Texts of every message the bot sent to this person since their last action."""
        return [
            self._current(self.id, c.result["message_id"]).get("text", "")
            for c in self.tg.calls[self._cursor :]
            if c.method in ("sendMessage", "sendRichMessage")
            and c.error is None
            and c.params.get("chat_id") == self.id
        ]

    def botao(self, message: JSON, label: str) -> str:
        """Callback data of the button whose text contains `label`."""
        fresh = self._current(message["chat"]["id"], message["message_id"])
        teclado = (fresh.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in teclado:
            for button in row:
                if label.lower() in button["text"].lower():
                    return str(button["callback_data"])
        labels = [b["text"] for row in teclado for b in row]
        raise AssertionError(f"no button {label!r}; buttons: {labels}")

    def botoes(self, message: JSON) -> list[str]:
        """The labels of the message's inline buttons."""
        fresh = self._current(message["chat"]["id"], message["message_id"])
        teclado = (fresh.get("reply_markup") or {}).get("inline_keyboard", [])
        return [b["text"] for row in teclado for b in row]

    def _current(self, chat_id: int, message_id: int) -> JSON:
        for message in self.tg.chat_messages(chat_id):
            if message["message_id"] == message_id:
                return message
        return {}
