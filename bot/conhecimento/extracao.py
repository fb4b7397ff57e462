"""Text out of a file's bytes: one function, `extrair`, and the blocks it returns.

    tipo_de(nome, mime)   the kind the name (or mime type) claims, or None
    tipo_real(...)        the kind the bytes show: a PDF or docx signature wins over the name,
                          so a PDF renamed `.txt` is read as the PDF it is
    extrair(...)          -> Extraido(titulo, blocos, paginas): blocks of normalised text, each
                          with its heading path and page; raises `Recusado(motivo)` with the
                          pt-BR reason the sender reads (encrypted, corrupt, no text, too big...)

Pure and synchronous on purpose: the worker runs it in a separate process with a time limit
and a memory limit (`bot.conhecimento.processo`), so a pathological file costs a killed process,
never the bot. Memory is bounded as the text is produced, not after: `_Blocos` refuses the
document the moment its text passes `Limites.caracteres` (a 300 KB CSV or JSON can otherwise
spell gigabytes of "header: value" pairs), JSON paths are joined only for the leaf being emitted,
and zip containers (docx) are inflated while streaming, counting the real bytes out against a
budget and against the compressed bytes in (declared sizes can be forged). A document with a DTD
(the entity-expansion "billion laughs") is refused before parsing.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import json
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from bot import texts
from bot.errors import Interno

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
ZIP_RAZAO_DESDE = 1_000_000  # the ratio is judged once a part has inflated this much
ZIP_EXPANDIDO_MAX = 200_000_000  # real bytes inflated from one container, all parts together
ZIP_PARTE_INTEIRA_MAX = 20_000_000  # a part parsed whole (styles, metadata), not streamed
ZIP_LEITURA = 64 * 1024
TEXTO_BRUTO_POR_CARACTERE = 2  # raw docx text (before whitespace folds) per character allowed
HTML_DESCARTAR = "script, style, noscript, nav, header, footer, aside, form, svg, iframe, template"
HTML_BLOCOS = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dt, dd, figcaption"


class Recusado(Interno):
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


class _Blocos:
    """Blocks as they are produced, refusing the document the moment its text is too long."""

    def __init__(self, limite: int) -> None:
        self.lista: list[Bloco] = []
        self.caracteres = 0
        self._limite = limite

    def por(self, texto: str, secao: tuple[str, ...] = (), pagina: int | None = None) -> None:
        """Keep one block (an empty one is dropped)."""
        if texto:
            self.caberia(len(texto))
            self.caracteres += len(texto)
            self.lista.append(Bloco(texto, secao, pagina))

    def caberia(self, caracteres: int) -> None:
        """Refuse now if `caracteres` more would pass the limit (before building them)."""
        if self.caracteres + caracteres > self._limite:
            raise Recusado(texts.falha_caracteres(self._limite))


def tipo_de(nome: str, mime: str | None = None) -> str | None:
    """The kind of file, by extension first (Telegram's mime types are often generic)."""
    tipo = TIPOS.get(PurePath(nome).suffix.lower())
    if tipo is None and mime:
        tipo = MIMES.get(mime.split(";")[0].strip().lower())
    return tipo


def tipo_real(conteudo: bytes, declarado: str | None) -> str | None:
    """The kind to read `conteudo` as: its signature when it has one, else what was declared.

    PDF and docx carry magic numbers, so they win over any name; an HTML page wins over `.txt`.
    Plain text has no signature: txt, md, csv and json stay as declared (`decodificar` refuses
    binary bytes). A zip that is not a docx is refused whatever its name.
    """
    inicio = conteudo[:1024]
    if inicio.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if inicio.startswith(b"PK\x03\x04"):
        if declarado == "docx" or _e_docx(conteudo):
            return "docx"
        if declarado is None:
            return None
        raise Recusado(texts.FALHA_ZIP_DESCONHECIDO)
    if declarado in (None, "txt") and _e_html(inicio):
        return "html"
    return declarado


def _e_docx(conteudo: bytes) -> bool:
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(conteudo)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _e_html(inicio: bytes) -> bool:
    for bom, codificacao in (
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if inicio.startswith(bom):
            inicio = inicio[len(bom) :].decode(codificacao, "ignore").encode()
    cabeca = inicio.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return cabeca.startswith((b"<!doctype html", b"<html"))


def extrair(conteudo: bytes, *, nome: str, mime: str | None, limites: Limites) -> Extraido:
    """The text of a document, or `Recusado` with the reason."""
    if not conteudo.strip():
        raise Recusado(texts.falha_vazio())
    if len(conteudo) > limites.bytes:
        raise Recusado(texts.falha_grande(len(conteudo), limites.bytes))
    tipo = tipo_real(conteudo, tipo_de(nome, mime))
    if tipo is None:
        raise Recusado(texts.falha_tipo(nome))
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


_ENTRE_PARAGRAFOS = re.compile(r"\n\s*\n")


def paragrafos(texto: str) -> Iterator[str]:
    """Paragraphs of plain text (blank-line separated), normalised, one at a time."""
    texto = _HIFEN_FIM_DE_LINHA.sub(r"\1\2", texto.replace("\r\n", "\n"))
    inicio = 0
    for separador in _ENTRE_PARAGRAFOS.finditer(texto):
        limpo = normalizar(texto[inicio : separador.start()])
        inicio = separador.end()
        if limpo:
            yield limpo
    limpo = normalizar(texto[inicio:])
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
    blocos = _Blocos(limites.caracteres)
    for p in paragrafos(decodificar(conteudo, titulo)):
        blocos.por(p)
    return Extraido(titulo, blocos.lista)


_CABECALHO_MD = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _md(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    texto = decodificar(conteudo, titulo)
    secao: list[str] = []
    blocos = _Blocos(limites.caracteres)
    atual: list[str] = []
    primeiro_titulo: str | None = None
    em_codigo = False

    def fechar() -> None:
        for p in paragrafos("\n".join(atual)):
            blocos.por(p, tuple(secao))
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
    return Extraido(primeiro_titulo or titulo, blocos.lista)


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
        blocos = _Blocos(limites.caracteres)
        for numero, pagina in enumerate(leitor.pages, 1):
            texto = pagina.extract_text() or ""
            secao = secoes.get(numero, ())
            for p in paragrafos(texto):
                blocos.por(p, secao, numero)
    except Recusado:
        raise
    except FileNotDecryptedError:
        raise Recusado(texts.falha_criptografado()) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise Recusado(texts.falha_corrompido("PDF")) from None
    return Extraido(titulo_meta or titulo, blocos.lista, paginas=total)


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


class _Contado(io.BytesIO):
    """The container's bytes, counting what is read: the compressed bytes a part consumed."""

    lidos = 0

    def read(self, n: int | None = -1, /) -> bytes:
        dados = super().read(n)
        self.lidos += len(dados)
        return dados


class _Zip:
    """A zip container whose parts are inflated in chunks against a budget of real bytes.

    `ZipFile.read` inflates a whole part (up to 2 GiB in one call) before checking its size or
    CRC, and declared sizes can be forged in both headers (a small declared size would only turn
    a bomb into a CRC error). Here a deflated part is inflated to its stream's real end, a chunk
    at a time, each counted against `ZIP_EXPANDIDO_MAX` for the container and `ZIP_RAZAO_MAX`
    times the compressed bytes consumed so far; the CRC still catches a corrupt part.
    """

    def __init__(self, conteudo: bytes, tipo: str) -> None:
        self._tipo = tipo
        self._conteudo = conteudo
        self._fonte = _Contado(conteudo)
        try:
            self._arquivo = zipfile.ZipFile(self._fonte)
            infos = self._arquivo.infolist()
        except (zipfile.BadZipFile, ValueError):
            raise Recusado(texts.falha_corrompido(tipo)) from None
        if sum(i.file_size for i in infos) > ZIP_EXPANDIDO_MAX:  # declared: refused unexpanded
            raise Recusado(texts.FALHA_BOMBA)
        for info in infos:
            if info.file_size > ZIP_RAZAO_DESDE and info.file_size > ZIP_RAZAO_MAX * max(
                info.compress_size, 1
            ):
                raise Recusado(texts.FALHA_BOMBA)
        self._restante = ZIP_EXPANDIDO_MAX

    def tem(self, parte: str) -> bool:
        """Whether the container holds `parte`."""
        return parte in self._arquivo.NameToInfo

    def pedacos(self, parte: str) -> Iterator[bytes]:
        """The inflated bytes of `parte`, a chunk at a time; `Recusado` past the budget."""
        info = self._arquivo.getinfo(parte)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Recusado(texts.falha_corrompido(self._tipo))  # bzip2/lzma inflate unbounded
        if info.compress_type == zipfile.ZIP_DEFLATED:  # inflate to the stream's real end
            info = copy.copy(info)
            info.file_size = ZIP_EXPANDIDO_MAX + 1
            info.compress_size = self._ate_o_fim(info)
        inicio = self._fonte.lidos
        saida = 0
        try:
            with self._arquivo.open(info) as membro:
                while dados := membro.read(ZIP_LEITURA):
                    saida += len(dados)
                    self._restante -= len(dados)
                    comprimidos = self._fonte.lidos - inicio
                    if self._restante < 0 or (
                        saida > ZIP_RAZAO_DESDE and saida > ZIP_RAZAO_MAX * comprimidos
                    ):
                        raise Recusado(texts.FALHA_DESCOMPACTADO)
                    yield dados
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise Recusado(texts.falha_corrompido(self._tipo)) from None

    def _ate_o_fim(self, info: zipfile.ZipInfo) -> int:
        """Bytes from the part's data to the container's end: all it could ever consume."""
        cabecalho = self._conteudo[info.header_offset + 26 : info.header_offset + 30]
        if len(cabecalho) < 4:
            raise Recusado(texts.falha_corrompido(self._tipo))
        nome, extra = struct.unpack("<2H", cabecalho)
        return max(0, int(len(self._conteudo) - info.header_offset - 30 - nome - extra))

    def inteira(self, parte: str) -> bytes:
        """A small part whole (styles, metadata): bounded by `ZIP_PARTE_INTEIRA_MAX`."""
        partes: list[bytes] = []
        total = 0
        for dados in self.pedacos(parte):
            total += len(dados)
            if total > ZIP_PARTE_INTEIRA_MAX:
                raise Recusado(texts.FALHA_DESCOMPACTADO)
            partes.append(dados)
        return b"".join(partes)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_DTD = (b"<!DOCTYPE", b"<!ENTITY")


def _parser_xml(*, fluxo: bool) -> Any:
    """lxml without DTDs, entities, network or huge text nodes."""
    from lxml import etree

    opcoes = {"resolve_entities": False, "no_network": True, "huge_tree": False}
    return etree.XMLPullParser(events=("end",), **opcoes) if fluxo else etree.XMLParser(**opcoes)


def _xml(arquivo: _Zip, parte: str, tipo: str) -> Any:
    """A small optional part parsed whole, or None when absent: a DTD is a bomb."""
    from lxml import etree

    if not arquivo.tem(parte):
        return None
    dados = arquivo.inteira(parte)
    if any(marca in dados for marca in _DTD):
        raise Recusado(texts.FALHA_BOMBA)
    try:
        return etree.fromstring(dados, _parser_xml(fluxo=False))
    except etree.XMLSyntaxError:
        raise Recusado(texts.falha_corrompido(tipo)) from None


def _xml_em_fluxo(arquivo: _Zip, parte: str, tipo: str) -> Iterator[Any]:
    """Each element of `parte` as its end tag is parsed, the bytes inflated as they are fed."""
    from lxml import etree

    parser = _parser_xml(fluxo=True)
    anterior = b""
    try:
        for dados in arquivo.pedacos(parte):
            janela = anterior + dados[:16] if anterior else dados
            if any(marca in janela or marca in dados for marca in _DTD):
                raise Recusado(texts.FALHA_BOMBA)
            anterior = dados[-16:]
            parser.feed(dados)
            for _, elemento in parser.read_events():
                yield elemento
        parser.close()
        for _, elemento in parser.read_events():
            yield elemento
    except etree.XMLSyntaxError:
        raise Recusado(texts.falha_corrompido(tipo)) from None


def _docx(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    """WordprocessingML streamed with lxml: paragraphs, headings and table rows in document
    order, each body element dropped once read (python-docx measured 0.3 MB/s, this ~10x)."""
    tipo = NOME_TIPO["docx"]
    arquivo = _Zip(conteudo, tipo)
    if not arquivo.tem("word/document.xml"):
        raise Recusado(texts.falha_corrompido(tipo))
    nomes = _nomes_de_estilo(_xml(arquivo, "word/styles.xml", tipo))
    nucleo = _xml(arquivo, "docProps/core.xml", tipo)
    titulo_meta = (nucleo.findtext(DC_TITLE) or "") if nucleo is not None else ""
    secao: list[str] = []
    blocos = _Blocos(limites.caracteres)
    bruto = _Blocos(limites.caracteres * TEXTO_BRUTO_POR_CARACTERE)
    primeiro_titulo: str | None = None
    viu_corpo = False
    for elemento in _xml_em_fluxo(arquivo, "word/document.xml", tipo):
        if elemento.tag == f"{W}t":
            bruto.caberia(len(elemento.text or ""))
            bruto.caracteres += len(elemento.text or "")
            continue
        if elemento.tag == f"{W}tr":
            celulas = [_texto_w(c) for c in elemento.iter(f"{W}tc")]
            blocos.por(" | ".join(c for c in dict.fromkeys(celulas) if c), tuple(secao))
            elemento.clear()  # a nested table's rows are read once, before their outer row
            continue
        if elemento.tag == f"{W}body":
            viu_corpo = True
        pai = elemento.getparent()
        if pai is None or pai.tag != f"{W}body":
            continue
        if elemento.tag == f"{W}p":
            texto = _texto_w(elemento)
            estilo = elemento.find(f"{W}pPr/{W}pStyle")
            nome = nomes.get(estilo.get(f"{W}val", ""), "") if estilo is not None else ""
            nivel = _nivel_de_titulo(nome)
            if not texto:
                pass
            elif nivel is None:
                blocos.por(texto, tuple(secao))
            elif nivel == 0:
                primeiro_titulo = primeiro_titulo or texto
            else:
                del secao[nivel - 1 :]
                secao.append(texto)
        elemento.clear()  # read: its memory goes, and so do the siblings before it
        while elemento.getprevious() is not None:
            del pai[0]
    if not viu_corpo:
        raise Recusado(texts.falha_corrompido(tipo))
    return Extraido(titulo_meta or primeiro_titulo or titulo, blocos.lista)


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
    blocos = _Blocos(limites.caracteres)
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
            blocos.por(texto, tuple(secao))
    if not blocos.lista:  # text in bare divs: take it line by line
        for p in paragrafos(raiz.text(separator="\n")):
            blocos.por(p)
    return Extraido(titulo_pagina or primeiro_h1 or titulo, blocos.lista)


def _csv(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    texto = decodificar(conteudo, titulo)
    try:
        dialeto: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            texto[:4096], delimiters=",;\t|"
        )
    except csv.Error:
        dialeto = csv.excel
    linhas = csv.reader(io.StringIO(texto), dialeto)
    blocos = _Blocos(limites.caracteres)
    try:
        cabecalho = [normalizar(c) for c in next(linhas, [])]
        for linha in linhas:
            pares: list[str] = []
            tamanho = 0
            for i, valor in enumerate(linha):
                if not valor.strip():
                    continue
                coluna = cabecalho[i] if i < len(cabecalho) and cabecalho[i] else ""
                par = f"{coluna or f'coluna {i + 1}'}: {normalizar(valor)}"
                tamanho += len(par) + 2
                blocos.caberia(tamanho)  # a wide header repeated on every row adds up fast
                pares.append(par)
            blocos.por("; ".join(pares))
    except csv.Error:
        raise Recusado(texts.falha_corrompido(NOME_TIPO["csv"])) from None
    if not blocos.lista and cabecalho:
        blocos.por("; ".join(cabecalho))
    return Extraido(titulo, blocos.lista)


def _json(conteudo: bytes, titulo: str, limites: Limites) -> Extraido:
    try:
        dados = json.loads(decodificar(conteudo, titulo))
    except (json.JSONDecodeError, RecursionError):
        raise Recusado(texts.falha_corrompido(NOME_TIPO["json"])) from None
    blocos = _Blocos(limites.caracteres)
    for caminho, valor in _folhas(dados, blocos):
        blocos.por(f"{caminho}: {valor}" if caminho else valor)
    nome = dados.get("title") or dados.get("titulo") if isinstance(dados, dict) else None
    return Extraido(str(nome) if isinstance(nome, str) else titulo, blocos.lista)


def _folhas(dados: object, blocos: _Blocos) -> Iterator[tuple[str, str]]:
    """(path, value) for every scalar in a JSON document: `itens[2].nome: Ana`.

    Iterative (deep nesting cannot blow the stack) and lazy: the path is kept in pieces and
    joined only for the leaf being emitted, after `blocos` agreed it fits, so a 100 kB key over
    20,000 items costs one path at a time, not 2 GB of them.
    """
    partes: list[str] = []  # the path of each open container, in pieces
    tamanho = 0  # len("".join(partes))
    pilha: list[Iterator[tuple[str, object]]] = [iter((("", dados),))]
    while pilha:
        proximo = next(pilha[-1], None)
        if proximo is None:
            pilha.pop()
            if partes:
                tamanho -= len(partes.pop())
            continue
        parte, valor = proximo
        if isinstance(valor, dict | list):
            partes.append(parte)
            tamanho += len(parte)
            pilha.append(_filhos(valor, raiz=tamanho == 0))
        elif valor is not None:
            texto = normalizar(str(valor))
            if texto:
                blocos.caberia(tamanho + len(parte) + 2 + len(texto))
                yield "".join(partes) + parte, texto


def _filhos(valor: dict[Any, Any] | list[Any], *, raiz: bool) -> Iterator[tuple[str, object]]:
    """(path piece, child) of a container: `.chave` (`chave` at the root) or `[i]`."""
    if isinstance(valor, dict):
        return ((str(k) if raiz else f".{k}", v) for k, v in valor.items())
    return ((f"[{i}]", v) for i, v in enumerate(valor))


_EXTRATORES = {
    "txt": _txt,
    "md": _md,
    "pdf": _pdf,
    "docx": _docx,
    "html": _html,
    "csv": _csv,
    "json": _json,
}
