"""Tests for bot.render: escaping, shortening and splitting Telegram HTML.

The property-style tests build random messages from fixed seeds (hypothesis is not installed), so a
failure always reproduces with the seed shown in the test id.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from bot.render import (
    bold,
    code,
    escape,
    italic,
    shorten,
    split_html,
    to_plain,
    utf16_len,
)

PY_PRE = '<pre><code class="language-python">'
LINK = '<a href="https://exemplo.com.br/busca?q=1&amp;r=2">'

# Telegram's tags and the attributes each may carry.
ALLOWED: dict[str, set[str]] = {
    **{tag: set() for tag in ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "pre"]},
    "tg-spoiler": set(),
    "code": {"class"},
    "span": {"class"},
    "a": {"href"},
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
ENTITY_AT = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
EMPTY_ELEMENT = re.compile(r"<([a-z-]+)(?:\s[^>]*)?>\s*</\1>")


class _Checker(HTMLParser):
    """Collects every way a part could be invalid Telegram HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.errors.append(f"unknown tag <{tag}>")
        elif not {name for name, _ in attrs} <= ALLOWED[tag]:
            self.errors.append(f"bad attributes on <{tag}>: {attrs}")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        # With convert_charrefs off, a whole entity never reaches here: a bare "&" means a cut one.
        for char in "<>&":
            if char in data:
                self.errors.append(f"raw {char!r} in text {data[:40]!r}")


def html_errors(part: str) -> list[str]:
    """Everything wrong with ``part`` as standalone Telegram HTML."""
    checker = _Checker()
    checker.feed(part)
    checker.close()
    if checker.stack:
        checker.errors.append(f"unclosed {checker.stack}")
    return checker.errors


def same_text_modulo_split_whitespace(original: str, parts: list[str]) -> bool:
    """Whether ``original`` is the parts' plain text joined by (possibly empty) whitespace."""
    pattern = r"\s*" + r"\s*".join(re.escape(to_plain(p)) for p in parts) + r"\s*"
    return re.fullmatch(pattern, to_plain(original)) is not None


def assert_valid_split(html: str, parts: list[str], limit: int) -> None:
    """Every invariant split_html promises, for any input."""
    assert parts, "a message with text must give at least one part"
    for part in parts:
        assert utf16_len(part) <= limit, part
        assert to_plain(part).strip(), f"blank part {part!r}"
        assert html_errors(part) == [], part
        assert EMPTY_ELEMENT.search(part) is None, part
    assert same_text_modulo_split_whitespace(html, parts)
    original_tags = set(re.findall(r"<[a-z][^>]*>", html))
    for part in parts:
        # Reopened tags must be exact copies (attributes included) of tags in the input.
        assert set(re.findall(r"<[a-z][^>]*>", part)) <= original_tags


# ---------------------------------------------------------------------------------------------
# Random messages
# ---------------------------------------------------------------------------------------------

WORDS = [
    "processo",
    "ação",
    "reunião",
    "código",
    "revisão",
    "pendência",
    "<script>",
    "a<b>c",
    "R&D",
    "x&amp;y",
    "&lt;",
    "snake_case_nome",
    "*negrito*",
    "_itálico_",
    "😀",
    "👨\u200d👩\u200d👧",
    "👍🏽",
    "🇧🇷🇵🇹",
    "שלום",
    "עולם",
    "مرحبا",
    "بالعالم",
    "e\u0301",
    "https://exemplo.com.br/a?b=1&c=2",
    "1<2>0",
]
SEPARATORS = [" "] * 12 + ["\n"] * 3 + ["\n\n"] * 2 + ["  ", " \n "]
INLINE = [
    ("<b>", "</b>"),
    ("<strong>", "</strong>"),
    ("<i>", "</i>"),
    ("<em>", "</em>"),
    ("<u>", "</u>"),
    ("<ins>", "</ins>"),
    ("<s>", "</s>"),
    ("<strike>", "</strike>"),
    ("<del>", "</del>"),
    ('<span class="tg-spoiler">', "</span>"),
    ("<tg-spoiler>", "</tg-spoiler>"),
    (LINK, "</a>"),
]
BLOCK = [
    ("<blockquote>", "</blockquote>"),
    ("<blockquote expandable>", "</blockquote>"),
]
VERBATIM = [
    ("<code>", "</code>"),
    ("<pre>", "</pre>"),
    (PY_PRE, "</code></pre>"),
]


def random_text(rng: random.Random, max_words: int) -> str:
    """Plain user text: pt-BR, emoji, RTL, HTML-looking characters, now and then a huge word."""
    words: list[str] = []
    for _ in range(rng.randint(1, max_words)):
        if rng.random() < 0.03:
            words.append("".join(rng.choice("abcçãé_*<&") for _ in range(rng.randint(50, 400))))
        else:
            words.append(rng.choice(WORDS))
        words.append(rng.choice(SEPARATORS))
    return "".join(words[:-1])


def random_html(rng: random.Random, depth: int = 0) -> str:
    """A Telegram-HTML message made of escaped random text in randomly nested tags."""
    pieces: list[str] = []
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.4 or depth >= 3:
            pieces.append(escape(random_text(rng, 30)))
        elif roll < 0.7:
            start, end = rng.choice(INLINE)
            pieces.append(start + random_html(rng, depth + 1) + end)
        elif roll < 0.8:
            start, end = rng.choice(BLOCK)
            pieces.append(start + random_html(rng, depth + 1) + end)
        elif roll < 0.95:
            start, end = rng.choice(VERBATIM)
            pieces.append(start + escape(random_text(rng, 60)) + end)
        else:
            pieces.append('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')
        pieces.append(rng.choice(SEPARATORS))
    return "".join(pieces[:-1])


# ---------------------------------------------------------------------------------------------
# escape / bold / italic / code / to_plain / utf16_len
# ---------------------------------------------------------------------------------------------


def test_escape_escapes_only_what_html_needs() -> None:
    assert escape("a < b & c > \"d\" 'e' _f_ *g*") == ("a &lt; b &amp; c &gt; \"d\" 'e' _f_ *g*")


def test_escape_does_not_double_escape_intent() -> None:
    # "&amp;" typed by a user is text, so it must show up literally.
    assert escape("&amp;") == "&amp;amp;"
    assert to_plain(escape("&amp;")) == "&amp;"


@pytest.mark.parametrize(
    "text",
    [
        "< & _ *",
        "a<b>c & d_e *f*",
        "😀👨\u200d👩\u200d👧👍🏽🇧🇷",
        "שלום עולם <b>",
        "مرحبا بالعالم & أهلا",
        "mixed עברית and العربية with 😀 & <tags>",
        "ação, reunião e código",
        "\u202eRTL override\u202c",
        "",
    ],
)
def test_escape_then_to_plain_round_trips(text: str) -> None:
    assert to_plain(escape(text)) == text
    assert html_errors(escape(text)) == []


@pytest.mark.parametrize(
    ("wrap", "tag"),
    [(bold, "b"), (italic, "i"), (code, "code")],
)
def test_wrappers_escape_then_wrap(wrap: Callable[[str], str], tag: str) -> None:
    result = wrap("1 < 2 & _x_")
    assert result == f"<{tag}>1 &lt; 2 &amp; _x_</{tag}>"
    assert to_plain(result) == "1 < 2 & _x_"
    assert html_errors(result) == []


def test_to_plain_strips_tags_and_unescapes() -> None:
    html = (
        f'<b>Olá</b>, <a href="https://x.com/?a=1&amp;b=2">link</a> &amp; '
        f'{PY_PRE}x = 1 &lt; 2</code></pre> <tg-emoji emoji-id="1">👍</tg-emoji> &#128512; &quot;'
    )
    assert to_plain(html) == 'Olá, link & x = 1 < 2 👍 😀 "'


def test_to_plain_survives_broken_html() -> None:
    assert to_plain("a < b > c & d <b") == "a < b > c & d <b"
    assert to_plain('<a href="x>y">z</a>') == "z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        ("ação", 4),
        ("😀", 2),
        ("👍🏽", 4),
        ("👨\u200d👩\u200d👧", 8),
        ("🇧🇷", 4),
        ("שלום", 4),
    ],
)
def test_utf16_len(text: str, expected: int) -> None:
    assert utf16_len(text) == expected


# ---------------------------------------------------------------------------------------------
# shorten
# ---------------------------------------------------------------------------------------------


def test_shorten_keeps_short_text_but_collapses_whitespace() -> None:
    assert shorten("  Revisar\n\tPR   da  API  ", 40) == "Revisar PR da API"


def test_shorten_cuts_at_word_boundary() -> None:
    assert shorten("Revisar o pull request da nova API", 20) == "Revisar o pull…"


def test_shorten_result_fits_width_exactly() -> None:
    text = "um dois três quatro cinco seis"
    for width in range(1, len(text) + 2):
        result = shorten(text, width)
        assert utf16_len(result) <= width
        assert result == text or result.endswith("…")


def test_shorten_cuts_a_long_word_anywhere() -> None:
    assert shorten("a" * 100, 10) == "a" * 9 + "…"


def test_shorten_prefers_cut_word_to_losing_most_of_the_room() -> None:
    result = shorten("Ver https://exemplo.com.br/processos/12345/detalhes", 30)
    assert result == "Ver https://exemplo.com.br/pr…"


def test_shorten_never_splits_a_surrogate_pair() -> None:
    # 4 emoji = 8 units; width 6 leaves 5 units, which would be 2.5 emoji.
    assert shorten("😀😀😀😀", 6) == "😀😀…"


def test_shorten_never_splits_an_emoji_sequence() -> None:
    family = "👨\u200d👩\u200d👧"
    assert shorten(family * 3, 12) == family + "…"
    assert shorten("👍🏽👍🏽👍🏽", 7) == "👍🏽…"


def test_shorten_never_splits_a_flag_or_an_accent() -> None:
    assert shorten("🇧🇷🇵🇹🇦🇴", 10) == "🇧🇷🇵🇹…"
    decomposed = "cafe\u0301" * 3
    assert shorten(decomposed, 6) == "cafe\u0301…"
    assert shorten(decomposed, 5) == "caf…"


def test_shorten_never_leaves_a_dangling_entity() -> None:
    assert shorten("P&amp;D&amp;I", 8) == "P&amp;D…"
    assert shorten("P&amp;D&amp;I", 7) == "P&amp;…"
    assert shorten("P&amp;D&amp;I", 6) == "P…"


def test_shorten_rejects_a_width_below_one() -> None:
    with pytest.raises(ValueError, match="width"):
        shorten("x", 0)


@pytest.mark.parametrize("seed", range(40))
def test_shorten_random(seed: int) -> None:
    rng = random.Random(seed)
    text = random_text(rng, 20)
    escaped = escape(text)
    line = " ".join(text.split())
    for width in (1, 2, 5, 13, 40, 200):
        result = shorten(text, width)
        assert utf16_len(result) <= width
        assert "\n" not in result
        if utf16_len(line) <= width:
            assert result == line
        else:
            assert result.endswith("…")
            assert line.startswith(result[:-1])
            assert not result[:-1].endswith("\u200d")
        cut = shorten(escaped, width)
        assert utf16_len(cut) <= width
        body = cut.removesuffix("…")
        for amp in re.finditer("&", body):
            assert ENTITY_AT.match(body, amp.start()), cut


# ---------------------------------------------------------------------------------------------
# split_html: the easy cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    ["Oi", "<b>Oi</b>  \n", "x" * 4096, "  espaços em volta  ", f"{PY_PRE}  x\n</code></pre>"],
)
def test_split_leaves_a_message_under_the_limit_unchanged(html: str) -> None:
    assert split_html(html) == [html]


@pytest.mark.parametrize("html", ["", "   ", "\n\n", "<b></b>", "<b> </b>\n"])
def test_split_returns_nothing_for_a_blank_message(html: str) -> None:
    assert split_html(html) == []


def test_split_rejects_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_html("abc", limit=3)


def test_split_measures_in_utf16_units() -> None:
    html = "😀" * 3000  # 3000 characters, but 6000 units
    parts = split_html(html)
    assert len(parts) == 2
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == html


# ---------------------------------------------------------------------------------------------
# split_html: where it cuts
# ---------------------------------------------------------------------------------------------


def test_split_prefers_a_blank_line() -> None:
    first = "primeira linha do texto\nsegunda linha do mesmo parágrafo aqui"
    second = "outro parágrafo " * 10
    parts = split_html(f"{first}\n\n{second}", limit=100)
    assert parts[0] == first
    assert_valid_split(f"{first}\n\n{second}", parts, 100)


def test_split_prefers_a_newline_to_a_space() -> None:
    lines = "\n".join(f"linha número {i} da lista" for i in range(20))
    parts = split_html(lines, limit=100)
    for part in parts:
        assert part.startswith("linha número ")
        assert part.endswith(" da lista")
    assert_valid_split(lines, parts, 100)


def test_split_falls_back_to_a_space() -> None:
    html = " ".join(f"palavra{i}" for i in range(200))
    parts = split_html(html, limit=100)
    assert all(re.fullmatch(r"palavra\d+( palavra\d+)*", p) for p in parts)
    assert " ".join(parts) == html


def test_split_ignores_a_break_that_would_waste_most_of_the_part() -> None:
    html = "Oi\n\n" + " ".join(["texto"] * 100)
    parts = split_html(html, limit=100)
    assert parts[0].startswith("Oi\n\ntexto")
    assert_valid_split(html, parts, 100)


def test_split_a_10000_char_word() -> None:
    html = "".join(random.Random(7).choice("abcdefghij") for _ in range(10_000))
    parts = split_html(html)
    assert [len(p) for p in parts] == [4096, 4096, 1808]
    assert "".join(parts) == html


def test_split_a_10000_char_word_in_bold_with_entities() -> None:
    word = "a&amp;b&lt;" * 1000
    html = f"<b>{word}</b>"
    parts = split_html(html, limit=1000)
    assert_valid_split(html, parts, 1000)
    assert "".join(p.removeprefix("<b>").removesuffix("</b>") for p in parts) == word


def test_split_never_cuts_an_entity() -> None:
    html = "&amp;" * 3000
    for limit in (16, 99, 100, 101, 4096):
        parts = split_html(html, limit=limit)
        assert all(re.fullmatch("(&amp;)+", p) for p in parts)
        assert "".join(parts) == html


@pytest.mark.parametrize("limit", [17, 100, 101, 4095])
def test_split_never_cuts_a_surrogate_pair(limit: int) -> None:
    html = "😀" * 5000
    parts = split_html(html, limit=limit)
    assert all(utf16_len(p) <= limit for p in parts)
    assert all(p.encode("utf-16-le").decode("utf-16-le") == p for p in parts)
    assert "".join(parts) == html


def test_split_keeps_emoji_sequences_and_flags_whole() -> None:
    family = "👨\u200d👩\u200d👧"
    parts = split_html(family * 1000, limit=50)
    assert all(p == family * (len(p) // len(family)) for p in parts)
    flags = "🇧🇷" * 1000
    parts = split_html(flags, limit=51)
    assert all(p == "🇧🇷" * (len(p) // 2) for p in parts)


# ---------------------------------------------------------------------------------------------
# split_html: tags across a cut
# ---------------------------------------------------------------------------------------------


def test_split_closes_and_reopens_tags_with_their_attributes() -> None:
    body = " ".join(f"palavra{i}" for i in range(100))
    html = f"<blockquote expandable>Resumo: {LINK}<b>{body}</b></a> fim.</blockquote>"
    parts = split_html(html, limit=200)
    assert len(parts) > 2
    for part in parts[1:-1]:
        assert part.startswith(f"<blockquote expandable>{LINK}<b>palavra")
        assert part.endswith("</b></a></blockquote>")
    assert parts[-1].endswith("fim.</blockquote>")
    assert_valid_split(html, parts, 200)


def test_split_long_pre_block_keeps_its_language_on_both_sides() -> None:
    source = "\n".join(
        f"    linha_{i} = {i} * 2  # <ok> & _x_ *y*" if i % 5 else f"def f{i}():"
        for i in range(400)
    )
    html = f"Código:\n{PY_PRE}{escape(source)}</code></pre>\nFim."
    parts = split_html(html)
    assert len(parts) >= 4
    assert parts[0].startswith(f"Código:\n{PY_PRE}")
    for part in parts[1:]:
        assert part.startswith(PY_PRE)
    for part in parts[:-1]:
        assert part.endswith("</code></pre>")
    assert parts[-1].endswith("</code></pre>\nFim.")
    # Cut at line ends, and the indentation at the head of a part is code, so it stays.
    for part in parts[1:]:
        first_line = to_plain(part).split("\n", 1)[0]
        assert first_line in source.split("\n")
    assert_valid_split(html, parts, 4096)
    assert "\n".join(to_plain(p) for p in parts) == to_plain(html)


def test_split_does_not_leave_empty_tags_at_a_cut() -> None:
    html = ("texto " * 30) + "<b>" + ("negrito " * 30) + "</b>"
    parts = split_html(html, limit=190)
    assert_valid_split(html, parts, 190)
    assert parts[0] == ("texto " * 30).strip()


def test_split_drops_formatting_when_a_tag_alone_cannot_fit() -> None:
    url = "https://exemplo.com.br/" + "y" * 300
    html = f'<a href="{url}">clique aqui</a> ' + "texto & mais " * 40
    parts = split_html(html, limit=100)
    assert all("<a" not in p for p in parts)
    assert_valid_split(html, parts, 100)


def test_split_tg_emoji_is_never_opened_empty() -> None:
    emoji = '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    html = emoji * 200
    parts = split_html(html, limit=200)
    assert all(re.fullmatch(f"({re.escape(emoji)})+", p) for p in parts)
    assert "".join(parts) == html


# ---------------------------------------------------------------------------------------------
# split_html: random messages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(120))
def test_split_random_messages(seed: int) -> None:
    rng = random.Random(seed)
    html = "\n\n".join(random_html(rng) for _ in range(rng.randint(1, 3)))
    for limit in (64, 150, 700, 4096):
        parts = split_html(html, limit=limit)
        if utf16_len(html) <= limit:
            assert parts == [html]
        else:
            assert_valid_split(html, parts, limit)


@pytest.mark.parametrize("seed", range(30))
def test_split_random_garbage_never_breaks_the_limit(seed: int) -> None:
    rng = random.Random(1000 + seed)
    alphabet = ["<", ">", "&", ";", "/", "a", "b", " ", "\n", "😀", "<b>", "</b>", "</i>", "&amp;"]
    html = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 2000)))
    for limit in (16, 100):
        parts = split_html(html, limit=limit)
        assert all(utf16_len(p) <= limit for p in parts)
        assert all(to_plain(p).strip() for p in parts)
