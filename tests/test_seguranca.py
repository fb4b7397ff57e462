"""The security walk: every command and every kind of button, tried by the wrong person
(another membro, someone still waiting for access, someone whose access was revoked, anyone in
a group nobody authorised) and with forged or malformed data. Each is refused: nothing in the
database changes and nothing of the owner's shows up.

Table-driven: a new command (`handlers.COMANDOS`) or button kind (`handlers.callbacks.Callback`)
fails `test_every_command_and_button_kind_is_in_the_walk` until it is listed below.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text, update

import handlers
from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import Aviso, Base, Contato, Documento, Lembrete, Mensagem, Processo, Usuario
from handlers.callbacks import Callback
from tests.conftest import ADMIN_ID, make_settings
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_processos import NUMERO

# What the owner (Ana) keeps to herself, and what only the team may see.
SEGREDOS_DE_ANA = ("Sigilo-processo-ana", "Sigilo-lembrete-ana", "Sigilo-pergunta-ana")
SEGREDOS_DA_EQUIPE = ("Sigilo-contato-equipe",)
# Tables that change by design whoever writes: the inbox records every update it receives.
FORA_DA_FOTO = {"updates_recebidos", "respostas_adiadas"}

# Command -> what follows it ({p}: Ana's processo number). "proprio": a command anyone let in
# uses on their own things (a membro trying it on himself is no wrong user), so the other-membro
# walk skips it; everybody else gets every command.
COMANDOS: dict[str, tuple[str, str]] = {
    "start": ("", "proprio"),
    "ajuda": ("", "proprio"),
    "help": ("", "proprio"),
    "perfil": ("", "proprio"),
    "novo": ("Invasao de teste", "proprio"),
    "processos": ("todos", "alheio"),
    "processo": ("{p}", "alheio"),
    "buscar": ("Sigilo", "alheio"),
    "contatos": ("", "proprio"),  # the CRM is the team's
    "contato": ("novo", "proprio"),
    "documentos": ("", "alheio"),
    "ingerir": ("http://127.0.0.1:9/nada", "proprio"),
    "conhecimento": ("Sigilo", "alheio"),
    "lembrar": ("amanhã 9h invadir", "proprio"),
    "lembretes": ("", "alheio"),
    "notificacoes": ("", "proprio"),
    "usuarios": ("", "alheio"),
    "papel": ("@ana_dev admin", "alheio"),
    "acesso": ("@caio liberar", "alheio"),
    "autorizar": ("", "alheio"),
    "desautorizar": ("", "proprio"),
    "nova_conversa": ("", "proprio"),
    "uso": ("", "proprio"),
    "persona": ("", "alheio"),
    "aviso": ("Invasao geral", "alheio"),
    "cancelar": ("", "proprio"),
    "exportar": ("todos", "alheio"),
    "relatorio": ("mes", "alheio"),
    "estatisticas": ("", "alheio"),
}

# Button prefix -> data aimed at Ana's things ({p} processo id, {v} its version, {c} contact,
# {d} document, {t} passage, {l} reminder, {m} stored question, {a} announcement draft,
# {caio} the waiting user, {bruno} the other membro). "proprio": it acts on the presser's own
# state (or the team's CRM), skipped in the other-membro walk only.
BOTOES: dict[str, tuple[tuple[str, ...], str]] = {
    "pv": (("pv:{p}",), "alheio"),
    "ps": (("ps:{p}:c:{v}", "ps:{p}:x:{v}:ok"), "alheio"),
    "pc": (("pc:{p}",), "alheio"),
    "pp": (("pp:{p}",), "alheio"),
    "pk": (("pk:{p}",), "alheio"),
    "pkc": (("pkc:{p}:{c}",), "alheio"),
    "pr": (("pr:{p}",), "alheio"),
    "pa": (("pa:{p}:{bruno}:{v}",), "alheio"),
    "pi": (("pi:{p}", "pi:{p}:alta"), "alheio"),
    "pe": (("pe:{p}",), "alheio"),
    "pet": (("pet:{p}",), "alheio"),
    "ped": (("ped:{p}",), "alheio"),
    "ph": (("ph:{p}",), "alheio"),
    "pl": (("pl:todos:0:{ana}",), "alheio"),
    "pu": (("pu:todos",), "alheio"),
    "fp": (("fp:novo:prazo",), "proprio"),
    "fr": (("fr:novo:seguir",), "proprio"),
    "nvp": (("nvp:alta",), "proprio"),
    "nvc": (("nvc:{c}",), "proprio"),
    "ct": (("ct:{c}",), "proprio"),
    "cl": (("cl:0",), "proprio"),
    "ce": (("ce:{c}",), "proprio"),
    "cv": (("cv:{c}",), "proprio"),
    "cf": (("cf:{c}:nome",), "proprio"),
    "pf": (("pf:nome", "pf:fuso:1"), "proprio"),
    "ua": (("ua:{caio}:s", "ua:{caio}:n:l"), "alheio"),
    "dv": (("dv:{d}",), "alheio"),
    "dl": (("dl:0",), "alheio"),
    "dp": (("dp:{d}",), "alheio"),
    "dr": (("dr:{d}:1",), "alheio"),
    "dn": (("dn:{d}",), "alheio"),
    "kv": (("kv:{t}",), "alheio"),
    "kb": (("kb:Sigilo",), "alheio"),
    "mq": (("mq:{p}",), "alheio"),
    "mx": (("mx:1",), "alheio"),
    "mr": (("mr:{m}",), "alheio"),
    "ma": (("ma:1",), "alheio"),
    "mn": (("mn:1",), "alheio"),
    "lc": (("lc:{l}", "lc:{l}:1"), "alheio"),
    "la": (("la:{l}", "la:{l}:1h"), "alheio"),
    "nf": (("nf:tudo", "nf:hora:8"), "proprio"),
    "av": (("av:{a}:s", "av:{a}:x"), "alheio"),
    "pn": (("pn:{p}",), "alheio"),
    "ca": (("ca:{c}:a",), "proprio"),  # anyone let in archives the team's contacts
    "cr": (("cr:{c}:1",), "alheio"),
    "uv": (("uv:{ana}",), "alheio"),
    "up": (("up:{bruno}:admin", "up:{ana}:gestor"), "alheio"),
}
MALFORMADOS = ("{x}", "{x}:", "{x}:abc", "{x}:-1:-1:-1", "{x}:" + "9" * 40, "{x}:1:2:3:4:5:6:7")


def test_every_command_and_button_kind_is_in_the_walk() -> None:
    assert {c.nome for c in handlers.COMANDOS.todos} == COMANDOS.keys()
    # Only the bot's own kinds: the codec's tests register kinds of their own in the same table.
    do_bot = {p for p, k in Callback._registry.items() if k.__module__.startswith("handlers.")}
    assert do_bot == BOTOES.keys()


@dataclass
class Cena:
    """Ana's things, the people, and the ids the forged buttons aim at."""

    app: CogepApplication
    chefe: Pessoa
    ana: Pessoa
    bruno: Pessoa
    caio: Pessoa  # waiting for access
    duda: Pessoa  # revoked
    numero: str
    ids: dict[str, Any]


@pytest.fixture
async def cena(tg: FakeTelegram, database: Database, database_url: str) -> AsyncIterator[Cena]:
    settings = make_settings(tg, database_url, cadastro_aberto=False)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        chefe = Pessoa(tg, ADMIN_ID, "Chefe")
        await chefe.diz("/start")
        ana = Pessoa(tg, 811, "Ana", username="ana_dev")
        bruno = Pessoa(tg, 812, "Bruno", username="bruno")
        caio = Pessoa(tg, 813, "Caio", username="caio")
        duda = Pessoa(tg, 814, "Duda", username="duda")
        for pessoa in (ana, bruno, caio, duda):
            await pessoa.diz("/start")
        async with database.sessions.begin() as session:
            await session.execute(
                update(Usuario)
                .where(Usuario.telegram_id.in_([ana.id, bruno.id, duda.id]))
                .values(acesso="liberado")
            )
            session.add(Contato(nome=SEGREDOS_DA_EQUIPE[0]))
        criado = await ana.diz(f"/novo {SEGREDOS_DE_ANA[0]}")
        numero = NUMERO.search(criado["text"]).group(1)  # type: ignore[union-attr]
        await ana.diz(f"/lembrar amanhã 9h {SEGREDOS_DE_ANA[1]}")
        tg.send_document(
            ana.user, "sigilo.txt", b"Sigilo-documento-ana " * 20, mime_type="text/plain"
        )
        await ana.ve("está na base de conhecimento", timeout=20)
        await ana.diz(SEGREDOS_DE_ANA[2], timeout=10)
        await chefe.diz("/aviso Aviso-rascunho-do-chefe")
        async with database.sessions.begin() as session:
            await session.execute(
                update(Usuario).where(Usuario.telegram_id == duda.id).values(acesso="recusado")
            )
            await session.execute(update(Documento).values(privado=True))
            processo = await session.scalar(select(Processo))
            assert processo is not None
            ids = {
                "p": processo.id,
                "v": await session.scalar(text("SELECT max(id) FROM processo_eventos")),
                "c": await session.scalar(select(Contato.id)),
                "d": await session.scalar(select(Documento.id)),
                "t": await session.scalar(text("SELECT min(id) FROM trechos")),
                "l": await session.scalar(select(Lembrete.id)),
                "m": await session.scalar(select(Mensagem.id).order_by(Mensagem.id)),
                "a": await session.scalar(select(Aviso.id)),
            }
            for pessoa in (ana, bruno, caio):
                ids[pessoa.user["first_name"].lower()] = await session.scalar(
                    select(Usuario.id).where(Usuario.telegram_id == pessoa.id)
                )
        await _sem_envios_em_curso(database)
        yield Cena(app, chefe, ana, bruno, caio, duda, numero, ids)


async def _sem_envios_em_curso(database: Database) -> None:
    """Wait for the notices of the set-up (the access requests) to be delivered."""
    for _ in range(100):
        async with database.sessions() as session:
            faltam = await session.scalar(
                text("SELECT count(*) FROM notificacoes WHERE status IN ('pendente', 'enviando')")
            )
        if not faltam:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the set-up's notices were never delivered")


async def foto(database: Database) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table (but the inbox's), by its first column."""
    retrato = {}
    async with database.engine.connect() as conn:
        for tabela in Base.metadata.sorted_tables:
            if tabela.name in FORA_DA_FOTO:
                continue
            linhas = (await conn.execute(text(f"SELECT * FROM {tabela.name}"))).mappings()
            retrato[tabela.name] = {next(iter(linha.values())): dict(linha) for linha in linhas}
    return retrato


def mudancas(antes: dict[str, Any], depois: dict[str, Any]) -> dict[str, Any]:
    """What differs, table by table: rows gone, rows new, and the columns that changed."""
    diferencas: dict[str, Any] = {}
    for nome, linhas in antes.items():
        novas = depois[nome]
        mudou = {
            chave: {c: (v, novas[chave][c]) for c, v in linha.items() if novas[chave][c] != v}
            for chave, linha in linhas.items()
            if chave in novas and novas[chave] != linha
        }
        sumiram, surgiram = linhas.keys() - novas.keys(), novas.keys() - linhas.keys()
        if mudou or sumiram or surgiram:
            diferencas[nome] = {"mudou": mudou, "sumiram": sumiram, "surgiram": surgiram}
    return diferencas


def _sem_o_proprio_start(
    diferencas: dict[str, Any], telegram_id: int, antes: dict[str, Any]
) -> dict[str, Any]:
    """The differences, but /start's refresh of the caller's own row (an upsert of their name
    and username that stamps `atualizado_em`, whoever they are: not a change of anything)."""
    usuarios = diferencas.get("usuarios")
    if usuarios is None or usuarios["sumiram"] or usuarios["surgiram"]:
        return diferencas
    proprio = {k for k, linha in antes["usuarios"].items() if linha["telegram_id"] == telegram_id}
    if usuarios["mudou"].keys() == proprio and all(
        colunas.keys() == {"atualizado_em"} for colunas in usuarios["mudou"].values()
    ):
        return {n: d for n, d in diferencas.items() if n != "usuarios"}
    return diferencas


async def _tocar(
    tg: FakeTelegram, user: dict[str, Any], data: str, *, chat: dict[str, Any] | None = None
) -> None:
    """Press a button with `data` and wait until the bot has answered the press."""
    respondidos = len(tg.answered_callbacks())
    tg.press(user, 1, data, chat=chat)
    await tg.wait_for(lambda: len(tg.answered_callbacks()) > respondidos or None, timeout=5)


def dados(modelos: tuple[str, ...], ids: dict[str, Any]) -> list[str]:
    return [m.format(**ids) for m in modelos]


ATORES = ("outro_membro", "pendente", "revogado", "grupo_sem_autorizacao")


@pytest.mark.parametrize("ator", ATORES)
async def test_the_wrong_person_is_refused_everything_and_nothing_changes(
    ator: str, cena: Cena, tg: FakeTelegram, database: Database
) -> None:
    pessoa = {"outro_membro": cena.bruno, "pendente": cena.caio, "revogado": cena.duda}.get(
        ator, cena.bruno
    )
    grupo = tg.group(-100_815, "Grupo estranho") if ator == "grupo_sem_autorizacao" else None
    chat_id = grupo["id"] if grupo else pessoa.id
    alvo_de_membro = ator == "outro_membro"
    antes = await foto(database)
    vistos = len(tg.chat_messages(chat_id))

    for nome, (argumentos, escopo) in COMANDOS.items():
        if alvo_de_membro and escopo == "proprio":
            continue
        linha = f"/{nome} {argumentos.format(p=cena.numero)}".strip()
        pessoa.envia(linha, chat=grupo)
        await pessoa.ve(None, chat_id=chat_id, timeout=5, required=False)
    for _prefixo, (modelos, escopo) in BOTOES.items():
        if alvo_de_membro and escopo == "proprio":
            continue
        for data in dados(modelos, cena.ids):
            await _tocar(tg, pessoa.user, data, chat=grupo)

    depois = await foto(database)
    assert _sem_o_proprio_start(mudancas(antes, depois), pessoa.id, antes) == {}
    recebido = " ".join(m.get("text", "") for m in tg.chat_messages(chat_id)[vistos:])
    segredos = SEGREDOS_DE_ANA + (() if alvo_de_membro else SEGREDOS_DA_EQUIPE)
    assert [s for s in segredos if s in recebido] == []
    assert "Sigilo-documento" not in recebido


async def test_forged_and_malformed_buttons_change_nothing_even_for_an_admin(
    cena: Cena, tg: FakeTelegram, database: Database
) -> None:
    antes = await foto(database)
    for prefixo in [*BOTOES, "zz", "", "ps.9"]:
        for modelo in MALFORMADOS:
            await _tocar(tg, cena.chefe.user, modelo.format(x=prefixo)[:64])
    assert mudancas(antes, await foto(database)) == {}
