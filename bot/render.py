"""Telegram-HTML rendering: every message Cogep sends goes through here.

Cogep always sends with ``parse_mode=HTML``; user text is escaped so that ``<``, ``&``, ``_`` or
``*`` can never break a message.

    escape(text)           HTML-escape user text (&, <, >)
    bold / italic / code   escape, then wrap in <b>, <i>, <code>
    shorten(text, width)   one line, cut at a word boundary, ends with "…"
    utf16_len(text)        length as Telegram counts it (UTF-16 code units)
    split_html(html)       split a long message into parts that are each valid and fit the limit
    to_plain(html)         strip tags, unescape entities: the fallback when Telegram refuses HTML

``split_html`` works on tokens (a tag, an entity or one code point), so it can never cut inside a
tag, an entity or a surrogate pair. Tags still open at a cut are closed at the end of the part and
reopened, with the same attributes, at the start of the next one.
"""

from __future__ import annotations

import functools
import html as _html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bot.errors import Interno

__all__ = [
    "MESSAGE_LIMIT",
    "bold",
    "code",
    "escape",
    "italic",
    "shorten",
    "split_html",
    "to_plain",
    "utf16_len",
]

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"
# Below this not even one tag plus a character fits; Telegram's real limits are 4096 and 1024.
_MIN_LIMIT = 16

# A tag must start with a letter right after "<", so "a < b" in broken input is left as text.
_TAG = r"""</?[A-Za-z][A-Za-z0-9-]*(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>"""
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"
_TAG_RE = re.compile(_TAG)
_ENTITY_RE = re.compile(_ENTITY)
_MARKUP_RE = re.compile(f"(?P<tag>{_TAG})|{_ENTITY}")
_TAG_NAME_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_LONGEST_ENTITY = 40
# Inside these, leading spaces of a part are code indentation, not a separator.
_VERBATIM = frozenset({"pre", "code"})

_ZWJ = "\u200d"
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def escape(text: str) -> str:
    """HTML-escape ``&``, ``<`` and ``>`` so ``text`` shows verbatim under parse_mode=HTML."""
    return _html.escape(text, quote=False)


def bold(text: str) -> str:
    """Escape ``text`` and wrap it in <b>."""
    return f"<b>{escape(text)}</b>"


def italic(text: str) -> str:
    """Escape ``text`` and wrap it in <i>."""
    return f"<i>{escape(text)}</i>"


def code(text: str) -> str:
    """Escape ``text`` and wrap it in <code>."""
    return f"<code>{escape(text)}</code>"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of every Telegram length limit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_plain(html: str) -> str:
    """Strip tags and unescape entities: what to send, without parse_mode, if Telegram refuses."""
    return _html.unescape(_TAG_RE.sub("", html))


def shorten(text: str, width: int) -> str:
    """Collapse ``text`` to one line of at most ``width`` UTF-16 units, cut with "…" if longer."""
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    line = " ".join(text.split())
    if utf16_len(line) <= width:
        return line
    cut = _fit(line, width - utf16_len(ELLIPSIS))
    cut = _outside_entity(line, cut)
    cut = _grapheme_boundary(line, cut, 0)
    if cut < len(line) and line[cut] != " ":
        space = line.rfind(" ", 0, cut)
        # A boundary that throws away more than half the room reads worse than a cut word.
        if space >= cut // 2:
            cut = space
    return line[:cut].rstrip() + ELLIPSIS


def split_html(html: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split Telegram HTML into parts that each fit ``limit`` and are each valid on their own."""
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT}, got {limit}")
    if not to_plain(html).strip():
        return []
    if utf16_len(html) <= limit:
        return [html]
    try:
        return _Splitter(_tokenize(html), limit).run()
    except PartesApertadas:
        # A tag (say a huge href) that cannot fit next to any text: losing the formatting beats
        # losing the message.
        return _Splitter(_tokenize(escape(to_plain(html))), limit).run()


class _Kind(Enum):
    TEXT = "text"
    START = "start"
    END = "end"
    SELF = "self"


@dataclass(frozen=True, slots=True)
class _Token:
    """One tag, one entity or one code point of the input, with its UTF-16 size."""

    raw: str
    kind: _Kind
    name: str
    size: int

    @property
    def closing_size(self) -> int:
        """Size of the end tag that closes this start tag."""
        return len(self.name) + 3

    @property
    def is_blank(self) -> bool:
        """Whether this is a whitespace character."""
        return self.kind is _Kind.TEXT and self.raw.isspace()


class PartesApertadas(Interno):
    """Not even one token fits in a part next to the tags that must be reopened."""


def _tokenize(html: str) -> list[_Token]:
    """Cut ``html`` into tags, entities and single code points."""
    tokens: list[_Token] = []
    pos = 0
    for match in _MARKUP_RE.finditer(html):
        tokens.extend(map(_char_token, html[pos : match.start()]))
        pos = match.end()
        raw = match.group()
        if match.group("tag") is None:
            tokens.append(_Token(raw, _Kind.TEXT, "", len(raw)))
            continue
        name_match = _TAG_NAME_RE.match(raw)
        assert name_match is not None  # _TAG guarantees a name
        name = name_match.group(1).lower()
        if raw.startswith("</"):
            kind = _Kind.END
        elif raw.endswith("/>"):
            kind = _Kind.SELF
        else:
            kind = _Kind.START
        tokens.append(_Token(raw, kind, name, len(raw)))
    tokens.extend(map(_char_token, html[pos:]))
    return tokens


@functools.lru_cache(maxsize=4096)
def _char_token(char: str) -> _Token:
    """The (shared, immutable) token for one code point."""
    return _Token(char, _Kind.TEXT, "", 2 if char > "\uffff" else 1)


def _apply(stack: list[_Token], token: _Token) -> int:
    """Update the open-tag ``stack`` for ``token``; return the change in closing-tags size."""
    if token.kind is _Kind.START:
        stack.append(token)
        return token.closing_size
    if token.kind is _Kind.END and any(t.name == token.name for t in stack):
        # Misnested input: closing an outer tag implicitly closes the ones inside it.
        delta = 0
        while stack:
            popped = stack.pop()
            delta -= popped.closing_size
            if popped.name == token.name:
                break
        return delta
    return 0


def _closing(stack: Sequence[_Token]) -> str:
    """End tags that close every tag in ``stack``, innermost first."""
    return "".join(f"</{t.name}>" for t in reversed(stack))


def _verbatim(stack: Sequence[_Token]) -> bool:
    """Whether whitespace is significant at this point (inside <pre> or <code>)."""
    return any(t.name in _VERBATIM for t in stack)


class _Splitter:
    """Greedy splitter: each part takes as many tokens as fit, then backs off to a good break."""

    def __init__(self, tokens: list[_Token], limit: int) -> None:
        """Prepare to split ``tokens`` into parts of at most ``limit`` UTF-16 units."""
        self.tokens = tokens
        self.raws = [t.raw for t in tokens]
        self.limit = limit

    def run(self) -> list[str]:
        """Return the parts."""
        tokens = self.tokens
        parts: list[str] = []
        stack: list[_Token] = []
        start = 0
        while True:
            start = self._skip_separator(start, stack)
            if start >= len(tokens):
                return parts
            cut = self._find_cut(start, stack)
            part = self._render(start, cut, stack)
            if part is not None:
                parts.append(part)
            for token in tokens[start:cut]:
                if token.kind is not _Kind.TEXT:
                    _apply(stack, token)
            start = cut

    def _skip_separator(self, start: int, stack: list[_Token]) -> int:
        """Skip whitespace and end tags at the head of a part, so none opens with ``<b></b>``."""
        tokens = self.tokens
        while start < len(tokens):
            token = tokens[start]
            if token.kind is _Kind.END and stack and stack[-1].name == token.name:
                stack.pop()
            elif token.is_blank and (token.raw in "\r\n" or not _verbatim(stack)):
                pass
            else:
                return start
            start += 1
        return start

    def _find_cut(self, start: int, stack: list[_Token]) -> int:
        """Index where the part starting at ``start`` (with ``stack`` reopened) should end."""
        tokens = self.tokens
        opened = list(stack)
        prefix = sum(t.size for t in opened)
        used = prefix
        closing = sum(t.closing_size for t in opened)
        half = prefix + (self.limit - prefix) // 2
        # Best cut found so far for each break kind: blank line, newline, space.
        best: list[int | None] = [None, None, None]
        end = start
        while end < len(tokens):
            token = tokens[end]
            trial = opened if token.kind is _Kind.TEXT else list(opened)
            delta = _apply(trial, token)
            if used + token.size + closing + delta > self.limit:
                break
            opened = trial
            used += token.size
            closing += delta
            end += 1
            kind = self._break_kind(end)
            if kind is not None and used >= half:
                best[kind] = end
        if end == start:
            raise PartesApertadas
        if end == len(tokens):
            return end
        for cut in best:
            if cut is not None:
                return cut
        return _grapheme_boundary(self.raws, end, start + 1)

    def _break_kind(self, at: int) -> int | None:
        """0 before a blank line, 1 before a newline, 2 before a space, else None."""
        tokens = self.tokens
        if at >= len(tokens) or tokens[at].kind is not _Kind.TEXT:
            return None
        char = tokens[at].raw
        if char == "\n":
            following = tokens[at + 1] if at + 1 < len(tokens) else None
            return 0 if following is not None and following.raw == "\n" else 1
        if char in " \t":
            return 2
        return None

    def _render(self, start: int, cut: int, stack: list[_Token]) -> str | None:
        """The part for ``tokens[start:cut]``; None if it would hold no visible text."""
        body = list(self.tokens[start:cut])
        # Whitespace and freshly opened, still empty tags at the tail belong to the split point.
        while body and (body[-1].is_blank or body[-1].kind is _Kind.START):
            body.pop()
        if not any(t.kind is _Kind.TEXT and not t.is_blank for t in body):
            return None
        opened = list(stack)
        for token in body:
            _apply(opened, token)
        reopen = "".join(t.raw for t in stack)
        return reopen + "".join(t.raw for t in body) + _closing(opened)


def _fit(text: str, budget: int) -> int:
    """Largest ``i`` such that ``text[:i]`` takes at most ``budget`` UTF-16 units."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return i
    return len(text)


def _outside_entity(text: str, cut: int) -> int:
    """Move ``cut`` back to the start of an HTML entity it would split."""
    amp = text.rfind("&", max(0, cut - _LONGEST_ENTITY), cut)
    if amp == -1:
        return cut
    match = _ENTITY_RE.match(text, amp)
    if match is not None and match.end() > cut:
        return amp
    return cut


def _grapheme_boundary(chars: Sequence[str], cut: int, low: int) -> int:
    """Move ``cut`` back off an accent, emoji sequence or flag, but not below ``low``."""
    original = cut
    while low < cut < len(chars) and _joins(chars, cut):
        cut -= 1
    if cut == low and low < original and _joins(chars, cut):
        # One cluster longer than the whole room: split it rather than make no progress.
        return original
    return cut


def _joins(chars: Sequence[str], at: int) -> bool:
    """Whether ``chars[at - 1]`` and ``chars[at]`` belong to one user-perceived character."""
    if at <= 0 or at >= len(chars):
        return False
    prev, nxt = chars[at - 1], chars[at]
    if len(prev) != 1 or len(nxt) != 1:
        return False
    if _ZWJ in (prev, nxt) or ord(nxt) in _SKIN_TONES:
        return True
    if unicodedata.category(nxt) in ("Mn", "Mc", "Me"):
        return True
    if ord(prev) in _REGIONAL_INDICATORS and ord(nxt) in _REGIONAL_INDICATORS:
        # Flags are pairs of indicators: only the boundary after an even run is free.
        run = 0
        while at - 1 - run >= 0 and len(chars[at - 1 - run]) == 1:
            if ord(chars[at - 1 - run]) not in _REGIONAL_INDICATORS:
                break
            run += 1
        return run % 2 == 1
    return False
