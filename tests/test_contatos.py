"""The team's CRM: create contacts with validated data, find them, link them to processos."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import CogepApplication
from bot.database import Database
from db.models import Contato
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.test_processos import NUMERO, registrar


async def criar_contato(pessoa: Pessoa, *respostas: str) -> dict[str, object]:
    await pessoa.diz("/contato novo")
    reply: dict[str, object] = {}
    for resposta in respostas:
        reply = await pessoa.diz(resposta)
    return reply


async def contato_pronto(pessoa: Pessoa, *respostas: str) -> None:
    """Create a contact from the first answers, skipping the other questions."""
    pergunta = await criar_contato(pessoa, *respostas)
    for _ in range(5 - len(respostas)):
        pergunta = await pessoa.toca(pergunta, "Pular")
    assert "Contato criado" in str(pergunta.get("text"))


async def test_a_contact_is_created_step_by_step_with_validation(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")

    await ana.diz("/contato novo")
    await ana.diz("Maria da Silva")
    await ana.diz("Acme Ltda")
    bad_email = await ana.diz("maria@@acme")
    await ana.diz("Maria@ACME.com.br")
    bad_phone = await ana.diz("123")
    await ana.diz("(11) 98765-4321")
    done = await ana.diz("Prefere contato pela manhã")

    assert "E-mail inválido" in bad_email["text"]
    assert "Telefone inválido" in bad_phone["text"]
    assert "Contato criado" in done["text"]
    async with database.sessions() as session:
        contato = await session.scalar(select(Contato))
    assert contato is not None
    assert (contato.nome, contato.empresa) == ("Maria da Silva", "Acme Ltda")
    assert contato.email == "Maria@acme.com.br"
    assert contato.telefone == "+55 11 98765-4321"


async def test_optional_fields_can_be_skipped(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await ana.diz("/contato novo")
    pergunta = await ana.diz("João Pereira")

    for _ in range(4):
        pergunta = await ana.toca(pergunta, "Pular")

    assert "Contato criado" in pergunta["text"]
    async with database.sessions() as session:
        contato = await session.scalar(select(Contato))
    assert contato is not None and contato.email is None and contato.telefone is None


async def test_contacts_are_found_without_accents_and_cards_respect_visibility(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 401, "Ana")
    bruno = await registrar(tg, 402, "Bruno")
    await contato_pronto(ana, "José Antônio", "Padaria Pão Quente")
    reply = await ana.diz("/novo Cotação de fornos | contato jose antonio")
    numero = NUMERO.search(reply["text"])
    assert numero, reply["text"]

    lista_ana = await ana.diz("/contatos jose")
    card_ana = await ana.toca(lista_ana, "José")
    lista_bruno = await bruno.diz("/contatos padaria")
    card_bruno = await bruno.toca(lista_bruno, "José")

    assert "José Antônio" in lista_ana["text"] and "José Antônio" in lista_bruno["text"]
    assert numero.group(1) in card_ana["text"]
    assert numero.group(1) not in card_bruno["text"]
    assert "nenhum processo visível" in card_bruno["text"]


async def test_a_contact_is_linked_from_the_processo_screen(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await contato_pronto(ana, "Carla Mendes")
    reply = await ana.diz("/novo Proposta comercial")
    numero = NUMERO.search(reply["text"])
    assert numero
    tela = await ana.diz(f"/processo {numero.group(1)}")

    await ana.toca(tela, "Contato")
    linked = await ana.diz("carla")  # one match: linked at once, no choice to make

    assert "Contato: Carla Mendes" in linked["text"]
    assert "vinculou o contato" in linked["text"]

    await ana.toca(linked, "Contato")
    nenhum = await ana.diz("zzzz")
    desvinculado = await ana.diz("remover")
    assert "Nenhum contato encontrado para zzzz" in nenhum["text"]
    assert "Contato: —" in desvinculado["text"]
    assert "desvinculou o contato Carla Mendes" in desvinculado["text"]


async def test_the_guided_novo_picks_a_contact_among_several(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    for nome in ("Paula Reis", "Paulo Souza"):
        await contato_pronto(ana, nome)
    await ana.diz("/novo")
    await ana.diz("Renovar contrato")
    pergunta = await ana.diz("Sem pressa")
    pergunta = await ana.toca(pergunta, "Pular")
    pergunta = await ana.toca(pergunta, "baixa")

    escolha = await ana.diz("paul")
    criado = await ana.toca(escolha, "Paulo Souza")

    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    tela = await ana.diz(f"/processo {numero.group(1)}")
    assert "Contato: Paulo Souza" in tela["text"]
    assert "Prioridade: ▫️ baixa" in tela["text"]


async def test_a_one_line_novo_naming_several_contacts_offers_them(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    for nome in ("Paula Reis", "Paulo Souza"):
        await contato_pronto(ana, nome)

    escolha = await ana.diz("/novo Renovar contrato | prioridade alta | contato paul")
    criado = await ana.toca(escolha, "Paula Reis")

    assert "Qual destes contatos?" in escolha["text"]
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    tela = await ana.diz(f"/processo {numero.group(1)}")
    assert "Contato: Paula Reis" in tela["text"] and "alta" in tela["text"]


async def test_a_draft_waits_while_its_contact_is_created_then_resumes(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await ana.diz("/novo")
    await ana.diz("Pedido do Zé")
    pergunta = await ana.toca(await ana.diz("Trocar as lâmpadas"), "Pular")
    await ana.toca(pergunta, "alta")
    sem_contato = await ana.diz("Zé")

    nome_q = await ana.diz("/contato novo")  # the bot's own advice: create the contact first
    await ana.diz("Zé Carlos")
    pergunta = await ana.ve("empresa")
    for _ in range(4):
        pergunta = await ana.toca(pergunta, "Pular")
    de_volta = await ana.ve("Voltando ao processo em rascunho")
    contato_q = await ana.ve("Vincular o contato que você acabou de criar")
    criado = await ana.toca(contato_q, "Zé Carlos")

    assert "Nenhum contato com Zé" in sem_contato["text"]
    assert "nome" in nome_q["text"]
    assert "Pedido do Zé" in de_volta["text"] and "Pular" in ana.botoes(contato_q)[-1]
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    tela = await ana.diz(f"/processo {numero.group(1)}")
    assert "Contato: Zé Carlos" in tela["text"] and "alta" in tela["text"]
    assert "Trocar as lâmpadas" in tela["text"]


async def test_cancelling_a_detour_brings_the_draft_back(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await ana.diz("/novo")
    await ana.diz("Rascunho importante")  # now at the description question

    await ana.diz("/perfil")
    await ana.toca(await ana.ve("Perfil"), "Nome")
    cancelado = await ana.diz("/cancelar")
    de_volta = await ana.ve("Voltando ao processo em rascunho")
    descricao = await ana.ve("Descreva")
    final = await ana.diz("/cancelar")

    assert "cancelada" in cancelado["text"]
    assert "Rascunho importante" in de_volta["text"] and "Pular" in ana.botoes(descricao)[0]
    assert "cancelada" in final["text"]
    assert "nada em andamento" in (await ana.diz("/cancelar"))["text"]


async def test_an_email_belongs_to_one_contact(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await contato_pronto(ana, "Maria da Silva", "Acme", "maria@acme.com.br")

    await criar_contato(ana, "Maria S.", "Acme")
    repetido = await ana.diz("MARIA@acme.com.br")
    seguiu = await ana.diz("maria.silva@acme.com.br")

    assert "já é do contato Maria da Silva (Acme)" in repetido["text"]
    assert "telefone" in seguiu["text"]  # same step refused, then the form goes on
    async with database.sessions() as session:
        emails = list(await session.scalars(select(Contato.email)))
    assert emails == ["maria@acme.com.br"]  # the second one is not saved until the end


async def test_a_contact_card_can_be_edited_field_by_field(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await contato_pronto(ana, "Carlos Souza", "Beta SA", "carlos@beta.com")
    await contato_pronto(ana, "Dora Lima", "Gama", "dora@gama.com")

    cartao = await ana.toca(await ana.diz("/contatos carlos"), "Carlos")
    opcoes = await ana.toca(cartao, "Editar")
    assert ana.botoes(opcoes) == [
        "Nome", "Empresa", "E-mail", "Telefone", "Observações", "↩️ Voltar",
    ]  # fmt: skip
    voltou = await ana.toca(opcoes, "Voltar")
    assert ana.botoes(voltou) == ["✏️ Editar", "🗄 Arquivar", "🗑 Remover"]
    await ana.toca(await ana.toca(voltou, "Editar"), "Telefone")
    invalido = await ana.diz("123")
    telefone = await ana.diz("(21) 2222-3333")
    await ana.toca(await ana.toca(telefone, "Editar"), "E-mail")
    tomado = await ana.diz("dora@gama.com")
    await ana.diz("/cancelar")
    await ana.toca(telefone, "Empresa")  # the choices stay under the card
    sem_empresa = await ana.diz("apagar")

    assert "Telefone inválido" in invalido["text"]
    assert "Telefone: +55 21 2222-3333" in telefone["text"]
    assert "já é do contato Dora Lima" in tomado["text"]
    assert "Empresa:" not in sem_empresa["text"]
    async with database.sessions() as session:
        carlos = await session.scalar(select(Contato).where(Contato.nome == "Carlos Souza"))
    assert carlos is not None
    assert (carlos.empresa, carlos.email, carlos.telefone) == (
        None, "carlos@beta.com", "+55 21 2222-3333",
    )  # fmt: skip


async def test_the_quick_way_a_homonym_warning_and_a_card_that_opens_processos(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 401, "Ana")
    empresa_q = await ana.diz("/contato novo Ana Beatriz")
    for _ in range(4):
        empresa_q = await ana.toca(empresa_q, "Pular")
    criado = await ana.diz("/novo Enviar proposta | contato ana beatriz")

    aviso = await ana.diz("/contato novo ana beatriz")
    segue = await ana.ve("empresa")  # the warning does not stop the form
    await ana.diz("/cancelar")
    cartao = await ana.toca(await ana.diz("/contatos beatriz"), "Ana Beatriz")
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]
    aberto = await ana.toca(cartao, numero.group(1))

    assert "Pular" in ana.botoes(segue)[0]
    assert "Contato: Ana Beatriz" in criado["text"]
    assert "Já existe um contato chamado Ana Beatriz" in aviso["text"]
    assert "Enviar proposta" in aberto["text"] and "Histórico" in aberto["text"]


async def test_processos_are_found_by_their_contact(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 401, "Ana")
    bruno = await registrar(tg, 402, "Bruno")
    await contato_pronto(ana, "Ana Paula Ribeiro", "Padaria Central")
    criado = await ana.diz("/novo Orçamento de fornos | contato ana paula")
    numero = NUMERO.search(criado["text"])
    assert numero, criado["text"]

    pelo_nome = await ana.diz("/buscar Ana Paula")
    pela_empresa = await ana.diz("/buscar padaria")
    de_outro = await bruno.diz("/buscar padaria")  # Bruno may not see Ana's processo

    assert numero.group(1) in pelo_nome["text"] and numero.group(1) in pela_empresa["text"]
    assert "Nada encontrado" in de_outro["text"]


async def test_contacts_of_one_name_are_told_apart_by_company(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 401, "Ana")
    await contato_pronto(ana, "Carlos Pereira", "Padaria Pão Quente")
    await ana.diz("/contato novo Carlos Pereira")  # warned, and goes on
    pergunta = await ana.ve("empresa")
    await ana.diz("Outra Empresa")
    for passo in ("email", "telefone", "notas"):
        await ana.diz("pular" if passo != "email" else "carlos@outra.com")

    lista = await ana.diz("/contato carlos")  # without "novo": a search

    assert "Pular" in ana.botoes(pergunta)[0]
    assert sorted(ana.botoes(lista)) == [
        "Carlos Pereira · Outra Empresa", "Carlos Pereira · Padaria Pão Quente",
    ]  # fmt: skip


async def test_a_contact_is_archived_out_of_sight_and_removed_only_when_no_processo_names_it(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 401, "Ana")
    bruno = await registrar(tg, 402, "Bruno")
    await contato_pronto(ana, "Carlos Souza", "Beta SA")
    await contato_pronto(ana, "Dora Lima", "Gama")
    await ana.diz("/novo Proposta | contato carlos")

    cartao = await ana.toca(await ana.diz("/contatos carlos"), "Carlos")
    await ana.toca(await ana.toca(cartao, "Remover"), "Sim, remover")
    assert "está em 1 processo" in tg.answered_callbacks()[-1].get("text", "")
    cartao = await ana.toca(await ana.diz("/contatos carlos"), "Carlos")
    arquivado = await ana.toca(cartao, "Arquivar")
    assert "Arquivado" in arquivado["text"] and "Desarquivar" in ana.botoes(arquivado)[-2]
    assert "Nenhum contato" in (await ana.diz("/contatos carlos"))["text"]
    assert "Carlos" not in (await ana.diz("/contatos"))["text"]
    assert "Nenhum contato com" in (await ana.diz("/novo Outra | contato carlos"))["text"]
    await ana.diz("/cancelar")

    dora = await bruno.toca(await bruno.diz("/contatos dora"), "Dora")
    await bruno.toca(await bruno.toca(dora, "Remover"), "Sim, remover")  # not his to remove
    assert "Só quem criou o contato" in tg.answered_callbacks()[-1].get("text", "")
    dora = await ana.toca(await ana.diz("/contatos dora"), "Dora")
    removido = await ana.toca(await ana.toca(dora, "Remover"), "Sim, remover")

    assert "Contato Dora Lima removido" in removido["text"]
    async with database.sessions() as session:
        nomes = set(await session.scalars(select(Contato.nome)))
        carlos = await session.scalar(select(Contato).where(Contato.nome == "Carlos Souza"))
    assert nomes == {"Carlos Souza"} and carlos is not None and carlos.arquivado_em is not None
