"""The model's Markdown as Telegram-HTML, for servers without rich messages.

markdown-it-py parses (CommonMark plus tables and strikethrough; half-written Markdown while
streaming parses too: an unclosed fence simply runs to the end). The renderer below emits only
tags Telegram accepts (b, i, s, code, pre, a, blockquote) and escapes every piece of text, so the
result always parses; `bot.render.split_html` then cuts it under 4096 without breaking a tag.
Headings become bold lines, lists get bullets or numbers, tables become aligned <pre> blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.render import escape

_INLINE = {
    "strong_open": "<b>", "strong_close": "</b>",
    "em_open": "<i>", "em_close": "</i>",
    "s_open": "<s>", "s_close": "</s>",
}  # fmt: skip
_SEGURO = ("http://", "https://", "tg://", "mailto:")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def markdown_para_html(markdown: str) -> str:
    """Telegram-HTML for `markdown` (always valid; never raises on odd input)."""
    tokens = _parser().parse(markdown)
    return _Renderizador().blocos(tokens).strip()


class _Renderizador:
    def __init__(self) -> None:
        self.saida: list[str] = []
        self.listas: list[list[int]] = []  # one [next number] per open list (-1: bullets)

    def blocos(self, tokens: Sequence[Token]) -> str:
        i = 0
        while i < len(tokens):
            i = self._bloco(tokens, i)
        return "".join(self.saida)

    def _bloco(self, tokens: Sequence[Token], i: int) -> int:
        t = tokens[i]
        out = self.saida
        kind = t.type
        if kind == "inline":
            out.append(_inline(t.children or []))
        elif kind == "paragraph_close":
            out.append("\n" if t.hidden else "\n\n")
        elif kind == "heading_open":
            out.append("<b>")
        elif kind == "heading_close":
            out.append("</b>\n\n")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            inicio = int(t.attrGet("start") or 1) if kind == "ordered_list_open" else -1
            self.listas.append([inicio])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.listas.pop()
            if not self.listas:
                out.append("\n")
        elif kind == "list_item_open":
            recuo = "   " * (len(self.listas) - 1)
            atual = self.listas[-1]
            if atual[0] < 0:
                out.append(f"{recuo}• ")
            else:
                out.append(f"{recuo}{atual[0]}. ")
                atual[0] += 1
        elif kind in ("fence", "code_block"):
            lingua = t.info.strip().split(" ")[0] if t.info else ""
            classe = f' class="language-{escape(lingua)}"' if lingua.isidentifier() else ""
            out.append(f"<pre><code{classe}>{escape(t.content.rstrip(chr(10)))}</code></pre>\n\n")
        elif kind == "blockquote_open":
            out.append("<blockquote>")
        elif kind == "blockquote_close":
            while out and out[-1].endswith("\n"):
                out[-1] = out[-1].rstrip("\n")
            out.append("</blockquote>\n\n")
        elif kind == "hr":
            out.append("———\n\n")
        elif kind == "table_open":
            return self._tabela(tokens, i)
        return i + 1

    def _tabela(self, tokens: Sequence[Token], i: int) -> int:
        """A table as an aligned <pre> block (Telegram-HTML has no tables)."""
        linhas: list[list[str]] = []
        while tokens[i].type != "table_close":
            t = tokens[i]
            if t.type == "tr_open":
                linhas.append([])
            elif t.type == "inline" and linhas:
                linhas[-1].append(_texto(t.children or []))
            i += 1
        largura = [max(len(linha[c]) for linha in linhas if c < len(linha))
                   for c in range(max(map(len, linhas), default=0))]  # fmt: skip
        texto = "\n".join(
            " | ".join(celula.ljust(largura[c]) for c, celula in enumerate(linha)).rstrip()
            for linha in linhas
        )
        self.saida.append(f"<pre>{escape(texto)}</pre>\n\n")
        return i + 1


def _inline(tokens: Sequence[Token]) -> str:
    partes: list[str] = []
    links: list[bool] = []  # whether each open link was emitted as <a>
    for t in tokens:
        kind = t.type
        if kind == "text":
            partes.append(escape(t.content))
        elif kind in _INLINE:
            partes.append(_INLINE[kind])
        elif kind == "code_inline":
            partes.append(f"<code>{escape(t.content)}</code>")
        elif kind in ("softbreak", "hardbreak"):
            partes.append("\n")
        elif kind == "link_open":
            href = str(t.attrGet("href") or "")
            seguro = href.startswith(_SEGURO)
            links.append(seguro)
            if seguro:
                partes.append(f'<a href="{escape(href).replace(chr(34), "&quot;")}">')
        elif kind == "link_close":
            if links and links.pop():
                partes.append("</a>")
        elif kind == "image":
            partes.append(escape(t.content or str(t.attrGet("src") or "")))
        elif kind in ("html_inline", "html_block"):
            partes.append(escape(t.content))
    return "".join(partes)


def _texto(tokens: Sequence[Token]) -> str:
    """The plain text of inline tokens (for table cells)."""
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline")) or " ".join(
        t.content for t in tokens if t.content
    )
