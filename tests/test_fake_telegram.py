"""The fake Bot API server, exercised through a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import io
import re
import socket
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from tests.fake_telegram import FakeTelegram

PING = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet in HTML with a button."""
    assert update.effective_user is not None and update.effective_message is not None
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(f"Olá, <b>{name}</b>!", reply_markup=PING)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query and replace the message text."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"pong {query.data}")
    await query.edit_message_text(f"Você apertou {query.data}")


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo plain text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"eco: {update.effective_message.text}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the document and echo its content."""
    assert update.effective_message is not None
    document = update.effective_message.document
    assert document is not None
    buffer = io.BytesIO()
    await (await document.get_file()).download_to_memory(buffer)
    await update.effective_message.reply_text(f"{document.file_name}: {buffer.getvalue().decode()}")


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the bot's membership status per chat."""
    change = update.my_chat_member
    assert change is not None
    context.bot_data[change.chat.id] = change.new_chat_member.status


def build_app(tg: FakeTelegram) -> Application:
    """A tiny echo bot wired to the fake server."""
    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_press))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fails_with(error: type[Exception], text: str) -> pytest.RaisesExc[Exception]:
    """pytest.raises for an error whose message contains text, ignoring case.

    PTB strips Telegram's "Bad Request: " prefix and then str.capitalize()s the rest, so
    "Bad Request: BUTTON_DATA_INVALID" surfaces as "Button_data_invalid".
    """
    return pytest.raises(error, match="(?i)" + re.escape(text))


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB_TIMEDELTA."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def app(tg: FakeTelegram) -> AsyncIterator[Application]:
    application = build_app(tg)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_start_round_trip_through_polling(tg: FakeTelegram, app: Application) -> None:
    ana = tg.user(1001, "Ana", username="ana_dev")
    marker = tg.mark(1001)
    tg.send_text(ana, "/start")

    reply = await tg.wait_for_message(1001, after=marker)

    assert reply["text"] == "Olá, Ana!"
    assert reply["entities"] == [{"type": "bold", "offset": 5, "length": 3}]
    assert reply["parse_mode"] == "HTML"
    assert reply["source_text"] == "Olá, <b>Ana</b>!"
    assert reply["reply_markup"] == PING.to_dict()
    assert reply["from"]["id"] == tg.bot_id
    assert [c.method for c in tg.calls[:2]] == ["getMe", "deleteWebhook"]
    assert tg.calls_to("sendMessage")[0].params["chat_id"] == 1001  # JSON-decoded to int

    tg.send_text(ana, "oi @ana_dev")
    echo = await tg.wait_for_message(1001, predicate=lambda m: m["text"].startswith("eco"))
    assert echo["text"] == "eco: oi @ana_dev"


async def test_command_addressed_to_the_bot_in_a_group(tg: FakeTelegram, app: Application) -> None:
    bia = tg.user(1002, "Bia")
    team = tg.group(-1001234567890, "Equipe")
    assert team["type"] == "supergroup"
    update = tg.send_text(bia, "/start@cogep_test_bot agora", chat=team)
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]

    reply = await tg.wait_for_message(team["id"])

    assert reply["text"] == "Olá, Bia!"
    assert reply["chat"]["id"] == team["id"]


async def test_button_press_reaches_callback_handler(tg: FakeTelegram, app: Application) -> None:
    caio = tg.user(1003, "Caio")
    tg.send_text(caio, "/start")
    greeting = await tg.wait_for_message(1003)

    tg.press(caio, greeting["message_id"], "ping")
    await tg.wait_for_call("answerCallbackQuery")
    edited = await tg.wait_for_message(1003, predicate=lambda m: "edit_date" in m)

    assert tg.answered_callbacks()[0]["text"] == "pong ping"
    assert edited["message_id"] == greeting["message_id"]
    assert edited["text"] == "Você apertou ping"
    assert "reply_markup" not in edited  # editMessageText without a markup drops the teclado

    tg.press(caio, greeting["message_id"], "forged-data")  # not on the message: still delivered
    await tg.wait_for_message(1003, predicate=lambda m: m["text"].endswith("forged-data"))
    assert tg.answered_callbacks()[1]["text"] == "pong forged-data"


async def test_html_is_parsed_and_bad_html_is_refused(tg: FakeTelegram, app: Application) -> None:
    tg.user(1004, "Davi")

    sent = await app.bot.send_message(
        1004, "  <i>a &lt; b</i> &amp; <a href='https://x.org/?q=1&amp;r=2'>link</a>\n", "HTML"
    )
    assert sent.text == "a < b & link"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("italic", 0, 5),
        ("text_link", 8, 4),
    ]
    assert sent.entities[1].url == "https://x.org/?q=1&r=2"

    with fails_with(BadRequest, 'can\'t parse entities: unsupported start tag "foo"'):
        await app.bot.send_message(1004, "<foo>x</foo>", parse_mode="HTML")
    with fails_with(BadRequest, "can't find end tag corresponding to start tag"):
        await app.bot.send_message(1004, "<b>unclosed", parse_mode="HTML")
    with fails_with(BadRequest, "can't parse entities"):
        await app.bot.send_message(1004, "R&D", parse_mode="HTML")
    with fails_with(BadRequest, "message is too long"):
        await app.bot.send_message(1004, "x" * 4097)
    with fails_with(BadRequest, "message text is empty"):
        await app.bot.send_message(1004, "<b> </b>", parse_mode="HTML")
    assert len(tg.chat_messages(1004)) == 1


async def test_flood_control_surfaces_as_retry_after(tg: FakeTelegram, app: Application) -> None:
    tg.user(1005, "Eva")
    tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 3",
        retry_after=3,
    )

    with warnings.catch_warnings():
        # PTB deprecates the int form of retry_after (it warns unless PTB_TIMEDELTA is set).
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(1005, "primeira")
        retry_after = caught.value.retry_after
    assert seconds(retry_after) == 3

    await app.bot.send_message(1005, "segunda")
    assert [m["text"] for m in tg.chat_messages(1005)] == ["segunda"]
    failed, succeeded = tg.calls_to("sendMessage")
    assert failed.error == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert succeeded.error is None
    assert succeeded.at >= failed.at


async def test_blocked_user_surfaces_as_forbidden(tg: FakeTelegram, app: Application) -> None:
    fabi = tg.user(1006, "Fabi")
    tg.my_chat_member(fabi, new_status="kicked")  # the user blocks the bot

    with fails_with(Forbidden, "bot was blocked by the user"):
        await app.bot.send_message(1006, "olá?")
    assert await tg.wait_for(lambda: app.bot_data.get(1006)) == "kicked"

    tg.my_chat_member(fabi, new_status="member")
    await app.bot.send_message(1006, "de volta")
    assert [m["text"] for m in tg.chat_messages(1006)] == ["de volta"]


async def test_edit_rules(tg: FakeTelegram, app: Application) -> None:
    tg.user(1007, "Gil")
    sent = await app.bot.send_message(1007, "versão 1", reply_markup=PING)

    with fails_with(BadRequest, "message is not modified"):
        await app.bot.edit_message_text("versão 1", 1007, sent.message_id, reply_markup=PING)
    with fails_with(BadRequest, "message to edit not found"):
        await app.bot.edit_message_text("x", 1007, sent.message_id + 50)

    await app.bot.edit_message_text("versão 2", 1007, sent.message_id, reply_markup=PING)
    await app.bot.edit_message_reply_markup(1007, sent.message_id, reply_markup=None)
    (current,) = tg.chat_messages(1007)
    assert current["text"] == "versão 2"
    assert "reply_markup" not in current
    assert current["edit_date"] >= current["date"]

    await app.bot.delete_message(1007, sent.message_id)
    assert tg.chat_messages(1007) == []


async def test_callback_data_over_64_bytes_is_refused(tg: FakeTelegram, app: Application) -> None:
    tg.user(1008, "Hugo")
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])

    await app.bot.send_message(1008, "cabe", reply_markup=fits)  # 64 bytes
    with fails_with(BadRequest, "BUTTON_DATA_INVALID"):
        await app.bot.send_message(1008, "não cabe", reply_markup=too_long)  # 66 bytes


async def test_document_upload_get_file_and_download(tg: FakeTelegram, app: Application) -> None:
    ines = tg.user(1009, "Inês")
    tg.send_document(ines, "notas.txt", "conteúdo".encode(), mime_type="text/plain")

    reply = await tg.wait_for_message(1009)
    assert reply["text"] == "notas.txt: conteúdo"

    sent = await app.bot.send_document(
        1009, b"a,b\n1,2\n", filename="dados.csv", caption="<b>CSV</b>", parse_mode="HTML"
    )
    upload = tg.calls_to("sendDocument")[0].params["document"]
    assert (upload.filename, upload.content) == ("dados.csv", b"a,b\n1,2\n")
    assert sent.caption == "CSV"
    assert sent.document.file_name == "dados.csv"
    data = await (await app.bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"a,b\n1,2\n"

    again = await app.bot.send_document(1009, sent.document.file_id)  # resend by file_id
    assert again.document.file_unique_id == sent.document.file_unique_id


async def test_commands_are_stored_per_scope_and_validated(
    tg: FakeTelegram, app: Application
) -> None:
    await app.bot.set_my_commands([("start", "Começar"), ("ajuda", "Ajuda")])
    await app.bot.set_my_commands([("start", "Start")], language_code="en")

    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "ajuda"]
    assert [c.description for c in await app.bot.get_my_commands(language_code="en")] == ["Start"]
    with fails_with(BadRequest, "BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([("Start", "maiúscula não vale")])
    await app.bot.delete_my_commands()
    assert await app.bot.get_my_commands() == ()


async def test_two_concurrent_pollers_conflict(tg: FakeTelegram) -> None:
    first = Bot(tg.token, base_url=tg.base_url)
    second = Bot(tg.token, base_url=tg.base_url)
    async with first, second:
        polling = asyncio.create_task(first.get_updates(timeout=5))
        await tg.wait_for_call("getUpdates")

        # As on Telegram, the newer request wins and the older long poll is answered with 409.
        assert await second.get_updates(timeout=0) == ()
        with fails_with(Conflict, "terminated by other getUpdates request"):
            await polling


async def test_polling_offset_limit_and_allowed_updates(tg: FakeTelegram) -> None:
    jade = tg.user(1010, "Jade")
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        first = tg.send_text(jade, "um")
        tg.send_text(jade, "dois")
        tg.press(jade, 1, "x")

        assert [u.update_id for u in await bot.get_updates(limit=1)] == [first["update_id"]]
        rest = await bot.get_updates(offset=first["update_id"] + 1, allowed_updates=["message"])
        texts = [u.message.text for u in rest if u.message]
        assert texts == ["dois"]  # the callback_query is filtered out

        waiting = asyncio.create_task(bot.get_updates(offset=rest[-1].update_id + 1, timeout=5))
        await tg.wait_for_call("getUpdates", after=len(tg.calls))
        tg.send_text(jade, "três")
        assert [u.message.text for u in await waiting if u.message] == ["três"]


async def test_webhook_mode_with_secret_token(tg: FakeTelegram) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    application = build_app(tg)
    assert application.updater is not None
    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token="s3cr3t"
        )
        try:
            lia = tg.user(1011, "Lia")
            tg.send_text(lia, "/start")
            assert (await tg.wait_for_message(1011))["text"] == "Olá, Lia!"
            assert (await application.bot.get_webhook_info()).url == url
            with fails_with(Conflict, "webhook is active"):
                await application.bot.get_updates()

            # With a secret PTB does not expect, its webhook server answers 403.
            await application.bot.set_webhook(url, secret_token="wrong")
            tg.send_text(lia, "perdida")
            error = await tg.wait_for(lambda: tg.webhook_info().get("last_error_message"))
            assert error.startswith("Wrong response from the webhook: 403")
            assert (await application.bot.get_webhook_info()).last_error_message == error
        finally:
            await application.updater.stop()
            await application.stop()


async def test_http_level_errors(tg: FakeTelegram, app: Application) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("noSuchMethod")
    assert tg.calls[-1].error == {"ok": False, "error_code": 404, "description": "Not Found"}

    with fails_with(InvalidToken, "rejected by the server"):
        async with Bot("999:WRONG", base_url=tg.base_url):
            pass  # initialize() calls getMe, which the fake answers with 401 Unauthorized
    with fails_with(BadRequest, "chat not found"):
        await app.bot.send_message(424242, "ninguém")


async def test_stop_ends_a_pending_long_poll_promptly() -> None:
    fake = FakeTelegram()
    await fake.start()
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        polling = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_for_call("getUpdates")
        started = asyncio.get_running_loop().time()
        await fake.stop()
        assert await polling == ()
        assert asyncio.get_running_loop().time() - started < 0.5
    await fake.stop()  # idempotent


async def test_wait_for_message_timeout_lists_what_the_bot_sent(
    tg: FakeTelegram, app: Application
) -> None:
    tg.user(1012, "Mia")
    await app.bot.send_message(1012, "algo", reply_markup=PING)

    with pytest.raises(AssertionError, match=r"#1: 'algo' \[Ping\|ping\]"):
        await tg.wait_for_message(1012, predicate=lambda m: m["text"] == "outra", timeout=0.05)
