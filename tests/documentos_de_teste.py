"""Real files for the knowledge-base tests, made by the libraries that write them.

Each function returns the bytes of one file: a two-page accented PDF with bookmarks, a docx
with headings, a CSV, a JSON, an encrypted PDF, a corrupt PDF, a scanned-like PDF (a drawing,
no text layer), binary bytes, and a zip bomb dressed as a docx.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from datetime import UTC, datetime

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

CRIADO_EM = datetime(2026, 12, 1, tzinfo=UTC)
PAGINA_1 = (
    "Antes de cada liberação, a equipe faz as avaliações trimestrais de risco e confere a "
    "configuração do servidor de produção. Sem essa revisão, nenhuma versão sobe."
)
PAGINA_2 = (
    "Para o rollback, reverta a migração do banco e reimplante a versão anterior da imagem. "
    "O procedimento leva cerca de dez minutos e deve ser registrado no processo."
)


def pdf_manual() -> bytes:
    """'Manual de Deploy': page 1 under 'Preparação', page 2 under 'Rollback' (bookmarks)."""
    pdf = FPDF()
    pdf.set_creation_date(CRIADO_EM)  # the same bytes every time: duplicates are duplicates
    pdf.set_title("Manual de Deploy")
    pdf.set_font("Helvetica", size=12)
    for secao, texto in (("Preparação", PAGINA_1), ("Rollback", PAGINA_2)):
        pdf.add_page()
        pdf.start_section(secao)
        pdf.multi_cell(0, 8, texto)
    return bytes(pdf.output())


def pdf_criptografado() -> bytes:
    """A PDF that opens only with a password."""
    escritor = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_manual())))
    escritor.encrypt(user_password="segredo", owner_password="dono", algorithm="RC4-128")
    saida = io.BytesIO()
    escritor.write(saida)
    return saida.getvalue()


def pdf_corrompido() -> bytes:
    """A PDF header followed by garbage."""
    gerador = random.Random(13)
    return b"%PDF-1.7\n" + bytes(gerador.randrange(256) for _ in range(4000))


def pdf_escaneado() -> bytes:
    """Pages with drawings and no text layer, like a scan."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.set_fill_color(120, 120, 120)
        pdf.rect(20, 20, 170, 250, style="F")
    return bytes(pdf.output())


def docx_com_titulos() -> bytes:
    """'Guia de Onboarding' with a heading 1 and a heading 2."""
    documento = docx.Document()
    documento.add_heading("Guia de Onboarding", 0)
    documento.add_heading("Acessos", 1)
    documento.add_paragraph("Peça acesso ao repositório e à VPN no primeiro dia.")
    documento.add_heading("Credenciais do banco", 2)
    documento.add_paragraph("As credenciais de homologação ficam no cofre de senhas da equipe.")
    saida = io.BytesIO()
    documento.save(saida)
    return saida.getvalue()


def csv_clientes() -> bytes:
    """A CSV in cp1252, as spreadsheets export it."""
    return "cliente;cidade;observação\nPadaria Pão Quente;São Paulo;entrega às terças\n".encode(
        "cp1252"
    )


def json_config() -> bytes:
    """A small JSON document."""
    return json.dumps(
        {"titulo": "Configuração do pipeline", "etapas": [{"nome": "testes", "tempo": "5 min"}]},
        ensure_ascii=False,
    ).encode()


def binario() -> bytes:
    """Bytes that are not text."""
    gerador = random.Random(7)
    return bytes(gerador.randrange(256) for _ in range(5000))


def bomba_zip() -> bytes:
    """A 'docx' whose document.xml expands from a few kB to 200 MB."""
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as parte:
            bloco = b"\0" * 1_000_000
            for _ in range(200):
                parte.write(bloco)
    return saida.getvalue()


def docx_bomba_falsificada(*, espacos: int = 2**30) -> bytes:
    """A 'docx' whose document.xml is 1 GiB of spaces (~1 MB compressed), its sizes forged
    in both the local header and the central directory to look like 1 MB inflated."""
    inicio = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>"
    )
    fim = b"</w:t></w:r></w:p></w:body></w:document>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    pedacos = [compressor.compress(inicio)]
    bloco = b" " * 2**20
    for _ in range(espacos // len(bloco)):
        pedacos.append(compressor.compress(bloco))
    pedacos += [compressor.compress(fim), compressor.flush()]
    dados = b"".join(pedacos)
    nome = b"word/document.xml"
    declarado = 1_000_000  # the lie: what both headers say it inflates to
    crc = zlib.crc32(b"mentira")
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(dados), declarado, len(nome), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(dados),
        declarado,
        len(nome),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    corpo = local + nome + dados
    diretorio = central + nome
    fim_do_diretorio = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(diretorio), len(corpo), 0
    )
    return corpo + diretorio + fim_do_diretorio


def csv_cabecalho_largo() -> bytes:
    """330 KB: a 128 KB header cell, then 100,000 one-character rows (each row repeats it)."""
    return b"a" * 128_000 + b",b\n" + b"1\n" * 100_000


def json_chave_longa() -> bytes:
    """140 KB: one 100 kB key over 20,000 items (each item's path repeats it)."""
    return json.dumps({"k" * 100_000: [1] * 20_000}).encode()
