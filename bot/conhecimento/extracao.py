"""Text out of a file's bytes: one function, `extrair`, and the blocks it returns.

    tipo_de(nome, mime)   the kind (pdf, docx, html, csv, json, md, txt) or None
    extrair(...)          -> Extraido(titulo, blocos, paginas): blocks of normalised text, each
                          with its heading path and page; raises `Recusado(motivo)` with the
                          pt-BR reason the sender reads (encrypted, corrupt, no text, too big...)

Pure and synchronous on purpose: the worker runs it in a separate process with a time limit
(`bot.conhecimento.processo`), so a pathological PDF costs a killed process, never the bot.
Zip containers (docx) are inspected before anything is expanded: a zip bomb is refused by its
declared sizes, and a document with a DTD (the entity-expansion "billion laughs") is refused
before parsing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from bot import texts

TIPOS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
}
MIMES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/csv": "csv",
    "application/json": "json",
    "text/markdown": "md",
    "text/plain": "txt",
}
NOME_TIPO = {"pdf": "PDF", "docx": "documento Word (.docx)", "json": "JSON", "csv": "CSV"}
ZIP_RAZAO_MAX = 100  # a docx's XML compresses ~5-10x; 100x is a bomb
ZIP_EXPANDIDO_MAX = 200_000_000
HTML_DESCARTAR = "script, style, noscript, nav, header, footer, aside, form, svg, iframe, template"
HTML_BLOCOS = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dt, dd, figcaption"


class Recusado(Exception):
    """The document cannot be ingested; `motivo` is the pt-BR reason."""

    def __init__(self, motivo: str) -> None:
        super().__init__(motivo)
        self.motivo = motivo


@dataclass(frozen=True)
class Limites:
    """What one document may cost."""

    bytes: int = 20_000_000
    paginas: int = 500
    caracteres: int = 5_000_000


@dataclass(frozen=True)
class Bloco:
    """A paragraph (or a table row, a CSV record) with its place in the document."""

    texto: str
    secao: tuple[str, ...] = ()
    pagina: int | None = None


@dataclass
class Extraido:
    """What a document holds, ready to be chunked."""

    titulo: str
    blocos: list[Bloco] = field(default_factory=list)
    paginas: int | None = None

    @property
    def caracteres(self) -> int:
        """Characters of text in all blocks."""
        return sum(len(b.texto) for b in self.blocos)


def tipo_de(nome: str, mime: str | None = None) -> str | None:
    """The kind of file, by extension first (Telegram's mime types are often generic)."""
    tipo = TIPOS.get(PurePath(nome).suffix.lower())
    if tipo is None and mime:
        tipo = MIMES.get(mime.split(";")[0].strip().lower())
    return tipo


def extrair(conteudo: bytes, *, nome: str, mime: str | None, limites: Limites) -> Extraido:
    """The text of a document, or `Recusado` with the reason."""
    tipo = tipo_de(nome, mime)
    if tipo is None:
        raise Recusado(texts.falha_tipo(nome))
    if not conteudo.strip():
        raise Recusado(texts.falha_vazio())
    if len(conteudo) > limites.bytes:
        raise Recusado(texts.falha_grande(len(conteudo), limites.bytes))
    titulo_padrao = PurePath(nome).stem.replace("_", " ").strip() or nome
    extraido = _EXTRATORES[tipo](conteudo, titulo_padrao, limites)
    if extraido.paginas is not None and extraido.paginas > limites.paginas:
        raise Recusado(texts.falha_paginas(extraido.paginas, limites.paginas))
    extraido.blocos = [b for b in extraido.blocos if b.texto]
    if not extraido.blocos:
        raise Recusado(texts.falha_sem_texto())
    if extraido.caracteres > limites.caracteres:
        raise Recusado(texts.falha_caracteres(limites.caracteres))
    extraido.titulo = normalizar(extraido.titulo)[:300] or titulo_padrao
    return extraido


# -- normalisation ---------------------------------------------------------------------------
_HIFEN_FIM_DE_LINHA = re.compile(r"(\w)-\n(\w)")
_CONTROLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b\ufeff]")
_ESPACOS = re.compile(r"\s+")


def normalizar(texto: str) -> str:
    """NFC, no control characters, words split at line ends joined, one space between words."""
    texto = unicodedata.normalize("NFC", texto)
    texto = _CONTROLE.sub("", texto)
    texto = _HIFEN_FIM_DE_LINHA.sub(r"\1\2", texto)
    return _ESPACOS.sub(" ", texto).strip()


def paragrafos(texto: str) -> Iterator[str]:
    """Paragraphs of plain text (blank-line separated), normalised."""
    texto = _HIFEN_FIM_DE_LINHA.sub(r"\1\2", texto.replace("\r\n", "\n"))
    for parte in re.split(r"\n\s*\n", texto):
        limpo = normalizar(parte)
        if limpo:
            yield limpo


def decodificar(conteudo: bytes, nome: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else cp1252, else latin-1; binary refused."""
    amostra = conteudo[:8192]
    if b"\x00" in amostra and not amostra.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Recusado(texts.FALHA_BINARIO)
    if amostra.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return conteudo.decode("utf-16")
        except UnicodeDecodeError:
            raise Recusado(texts.FALHA_CODIFICACAO) from None
    for codificacao in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            texto = conteudo.decode(codificacao)
            break
        except UnicodeDecodeError:
            continue
    controles = sum(1 for ch in texto[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controles > len(texto[:8192]) * 0.01:
        raise Recusado(texts.FALHA_BINARIO)
    return texto


# -- one extractor per kind ------------------------------------------------------------------
def _txt(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    texto = decodificar(conteudo, titulo)
    return Extraido(titulo, [Bloco(p) for p in paragrafos(texto)])


_CABECALHO_MD = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _md(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    texto = decodificar(conteudo, titulo)
    secao: list[str] = []
    blocos: list[Bloco] = []
    atual: list[str] = []
    primeiro_titulo: str | None = None
    em_codigo = False

    def fechar() -> None:
        for p in paragrafos("\n".join(atual)):
            blocos.append(Bloco(p, tuple(secao)))
        atual.clear()

    for linha in texto.splitlines():
        if linha.lstrip().startswith("```"):
            em_codigo = not em_codigo
            continue
        cabecalho = None if em_codigo else _CABECALHO_MD.match(linha)
        if cabecalho is None:
            atual.append(linha)
            continue
        fechar()
        nivel, nome = len(cabecalho.group(1)), normalizar(cabecalho.group(2))
        if nivel == 1 and primeiro_titulo is None:
            primeiro_titulo = nome
            secao.clear()
            continue
        del secao[max(nivel - 2, 0) :]
        secao.append(nome)
    fechar()
    return Extraido(primeiro_titulo or titulo, blocos)


def _pdf(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if b"%PDF" not in conteudo[:1024]:
        raise Recusado(texts.falha_corrompido("PDF"))
    try:
        leitor = PdfReader(io.BytesIO(conteudo))
        if leitor.is_encrypted and not leitor.decrypt(""):  # only an owner password: opens
            raise Recusado(texts.falha_criptografado())
        total = len(leitor.pages)
        if total > limites.paginas:
            raise Recusado(texts.falha_paginas(total, limites.paginas))
        secoes = _secoes_do_sumario(leitor)
        meta = leitor.metadata
        titulo_meta = str(meta.title) if meta is not None and meta.title else ""
        blocos: list[Bloco] = []
        for numero, pagina in enumerate(leitor.pages, 1):
            texto = pagina.extract_text() or ""
            secao = secoes.get(numero, ())
            blocos.extend(Bloco(p, secao, numero) for p in paragrafos(texto))
    except Recusado:
        raise
    except FileNotDecryptedError:
        raise Recusado(texts.falha_criptografado()) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise Recusado(texts.falha_corrompido("PDF")) from None
    return Extraido(titulo_meta or titulo, blocos, paginas=total)


def _secoes_do_sumario(leitor: object) -> dict[int, tuple[str, ...]]:
    """The heading path in force on each page, from the PDF's outline (bookmarks)."""
    from pypdf import PdfReader

    assert isinstance(leitor, PdfReader)
    inicios: list[tuple[int, tuple[str, ...]]] = []

    def visitar(itens: Iterable[object], caminho: tuple[str, ...]) -> None:
        ultimo: tuple[str, ...] = caminho
        for item in itens:
            if isinstance(item, list):
                visitar(item, ultimo)
                continue
            try:
                indice = leitor.get_destination_page_number(item)  # type: ignore[arg-type]
                nome = normalizar(str(getattr(item, "title", "")))
            except Exception:  # a broken bookmark only loses its heading
                continue
            if indice is None or not nome:
                continue
            pagina = indice + 1
            ultimo = (*caminho, nome)
            inicios.append((pagina, ultimo))

    try:
        visitar(leitor.outline, ())
    except Exception:
        return {}
    inicios.sort(key=lambda par: par[0])
    secoes: dict[int, tuple[str, ...]] = {}
    atual: tuple[str, ...] = ()
    indice = 0
    for numero in range(1, len(leitor.pages) + 1):
        while indice < len(inicios) and inicios[indice][0] <= numero:
            atual = inicios[indice][1]
            indice += 1
        secoes[numero] = atual
    return secoes


def _zip_seguro(conteudo: bytes, tipo: str) -> zipfile.ZipFile:
    """Open a zip container after checking its declared sizes: bombs are refused, unexpanded."""
    try:
        arquivo = zipfile.ZipFile(io.BytesIO(conteudo))
        infos = arquivo.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Recusado(texts.falha_corrompido(tipo)) from None
    expandido = sum(i.file_size for i in infos)
    if expandido > ZIP_EXPANDIDO_MAX:
        raise Recusado(texts.FALHA_BOMBA)
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > ZIP_RAZAO_MAX * max(
            info.compress_size, 1
        ):
            raise Recusado(texts.FALHA_BOMBA)
    return arquivo


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _xml(arquivo: zipfile.ZipFile, parte: str, tipo: str, *, obrigatoria: bool) -> Any:
    """A part of the package parsed without DTDs, entities or network: a DOCTYPE is a bomb."""
    from lxml import etree

    try:
        dados = arquivo.read(parte)
    except KeyError:
        if obrigatoria:
            raise Recusado(texts.falha_corrompido(tipo)) from None
        return None
    if b"<!DOCTYPE" in dados[:4096] or b"<!ENTITY" in dados:
        raise Recusado(texts.FALHA_BOMBA)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(dados, parser)
    except etree.XMLSyntaxError:
        raise Recusado(texts.falha_corrompido(tipo)) from None


def _docx(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    """WordprocessingML read directly with lxml: paragraphs, headings and tables in document
    order (python-docx measured 0.3 MB/s here, this ~10x that)."""
    tipo = NOME_TIPO["docx"]
    arquivo = _zip_seguro(conteudo, tipo)
    corpo = _xml(arquivo, "word/document.xml", tipo, obrigatoria=True).find(f"{W}body")
    if corpo is None:
        raise Recusado(texts.falha_corrompido(tipo))
    nomes = _nomes_de_estilo(_xml(arquivo, "word/styles.xml", tipo, obrigatoria=False))
    nucleo = _xml(arquivo, "docProps/core.xml", tipo, obrigatoria=False)
    titulo_meta = (nucleo.findtext(DC_TITLE) or "") if nucleo is not None else ""
    secao: list[str] = []
    blocos: list[Bloco] = []
    primeiro_titulo: str | None = None
    for elemento in corpo:
        if elemento.tag == f"{W}tbl":
            for linha in elemento.iter(f"{W}tr"):
                celulas = [_texto_w(c) for c in linha.iter(f"{W}tc")]
                texto = " | ".join(c for c in dict.fromkeys(celulas) if c)
                if texto:
                    blocos.append(Bloco(texto, tuple(secao)))
            continue
        if elemento.tag != f"{W}p":
            continue
        texto = _texto_w(elemento)
        if not texto:
            continue
        estilo = elemento.find(f"{W}pPr/{W}pStyle")
        nome = nomes.get(estilo.get(f"{W}val", ""), "") if estilo is not None else ""
        nivel = _nivel_de_titulo(nome)
        if nivel is None:
            blocos.append(Bloco(texto, tuple(secao)))
        elif nivel == 0:
            primeiro_titulo = primeiro_titulo or texto
        else:
            del secao[nivel - 1 :]
            secao.append(texto)
    return Extraido(titulo_meta or primeiro_titulo or titulo, blocos)


def _nomes_de_estilo(estilos: Any) -> dict[str, str]:
    """styleId -> style name ('Heading1' -> 'heading 1'); ids stand for themselves."""
    if estilos is None:
        return {}
    nomes = {}
    for estilo in estilos.iter(f"{W}style"):
        identificador = estilo.get(f"{W}styleId", "")
        nome = estilo.find(f"{W}name")
        nomes[identificador] = nome.get(f"{W}val", identificador) if nome is not None else ""
    return nomes


def _texto_w(elemento: Any) -> str:
    """The text of a paragraph or cell: runs joined, tabs and breaks as spaces."""
    partes = []
    for no in elemento.iter(f"{W}t", f"{W}tab", f"{W}br"):
        partes.append((no.text or "") if no.tag == f"{W}t" else " ")
    return normalizar("".join(partes))


def _nivel_de_titulo(estilo: str) -> int | None:
    """0 for the document title style, 1.. for heading levels, None for body text."""
    nome = estilo.lower()
    if nome in ("title", "título", "titulo"):
        return 0
    achado = re.fullmatch(r"(heading|título|titulo)\s*(\d)", nome)
    return int(achado.group(2)) if achado else None


def _html(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    from selectolax.lexbor import LexborHTMLParser

    arvore = LexborHTMLParser(decodificar(conteudo, titulo))
    no_titulo = arvore.css_first("title")
    titulo_pagina = normalizar(no_titulo.text()) if no_titulo is not None else ""
    for no in arvore.css(HTML_DESCARTAR):
        no.decompose()
    raiz = arvore.css_first("main") or arvore.css_first("article") or arvore.body
    if raiz is None:
        return Extraido(titulo_pagina or titulo)
    secao: list[str] = []
    blocos: list[Bloco] = []
    primeiro_h1: str | None = None
    for no in raiz.css(HTML_BLOCOS):
        if no.tag not in ("h1", "h2", "h3", "h4", "h5", "h6") and any(
            dentro.mem_id != no.mem_id for dentro in no.css(HTML_BLOCOS)
        ):
            continue  # a container of blocks (a <li> holding <p>s): its children speak for it
        texto = normalizar(no.text(deep=True, separator=" "))
        if not texto:
            continue
        if no.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            nivel = int(no.tag[1])
            if nivel == 1 and primeiro_h1 is None:
                primeiro_h1 = texto
                secao.clear()
                continue
            del secao[max(nivel - 2, 0) :]
            secao.append(texto)
        else:
            blocos.append(Bloco(texto, tuple(secao)))
    if not blocos:  # text in bare divs: take it line by line
        blocos = [Bloco(p) for p in paragrafos(raiz.text(separator="\n"))]
    return Extraido(titulo_pagina or primeiro_h1 or titulo, blocos)


def _csv(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    texto = decodificar(conteudo, titulo)
    try:
        dialeto: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            texto[:4096], delimiters=",;\t|"
        )
    except csv.Error:
        dialeto = csv.excel
    linhas = csv.reader(io.StringIO(texto), dialeto)
    try:
        cabecalho = [normalizar(c) for c in next(linhas, [])]
        blocos = []
        for linha in linhas:
            pares = [
                f"{cabecalho[i] if i < len(cabecalho) and cabecalho[i] else f'coluna {i + 1}'}: "
                f"{normalizar(valor)}"
                for i, valor in enumerate(linha)
                if valor.strip()
            ]
            if pares:
                blocos.append(Bloco("; ".join(pares)))
    except csv.Error:
        raise Recusado(texts.falha_corrompido(NOME_TIPO["csv"])) from None
    if not blocos and cabecalho:
        blocos = [Bloco("; ".join(cabecalho))]
    return Extraido(titulo, blocos)


def _json(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    try:
        dados = json.loads(decodificar(conteudo, titulo))
    except (json.JSONDecodeError, RecursionError):
        raise Recusado(texts.falha_corrompido(NOME_TIPO["json"])) from None
    blocos = [
        Bloco(f"{caminho}: {valor}" if caminho else valor) for caminho, valor in _folhas(dados)
    ]
    nome = dados.get("title") or dados.get("titulo") if isinstance(dados, dict) else None
    return Extraido(str(nome) if isinstance(nome, str) else titulo, blocos)


def _folhas(dados: object, caminho: str = "") -> Iterator[tuple[str, str]]:
    """(path, value) for every scalar in a JSON document: `itens[2].nome: Ana`."""
    pilha: list[tuple[str, object]] = [(caminho, dados)]
    while pilha:  # iterative: deep nesting cannot blow the stack
        onde, valor = pilha.pop()
        if isinstance(valor, dict):
            pilha.extend((f"{onde}.{k}" if onde else str(k), v) for k, v in reversed(valor.items()))
        elif isinstance(valor, list):
            pilha.extend((f"{onde}[{i}]", v) for i, v in reversed(list(enumerate(valor))))
        elif valor is not None:
            texto = normalizar(str(valor))
            if texto:
                yield onde, texto


_EXTRATORES = {
    "txt": _txt,
    "md": _md,
    "pdf": _pdf,
    "docx": _docx,
    "html": _html,
    "csv": _csv,
    "json": _json,
}
