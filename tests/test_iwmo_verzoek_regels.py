"""The iWmo rules on open verzoeken (issue 19): one open verzoek per aanbieder and client
(TR374/OP350, the same for a known and an unknown person), no overlapping requests for the same
product in one WMO315 (TR386), a WMO317 names all current toewijzingen (TR349/TR350), its dates
against the dagtekening (TR357/TR380), the answer "aanvraag in onderzoek" before the final one
(TR360/TR365/CD086), the 5-workday answer term (OP274/OP346) and the responsible gemeente in a
refusal for woonplaatsbeginsel (OP359)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from regio.models import Gemeente, Notificatie
from tests.factories import valid_bsn
from tests.test_iwmo_xml import BEGIN, EIND, SOEST, VANDAAG, bericht, bouw_opzet, client_305, geldig
from toegang.meldingen.tasks import signaleer_termijnen
from toegang.models import Verzoek
from toegang.termijnen import plus_werkdagen
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer, wmo319_bericht
from toegang.toewijzingen.verzoeken import afwijzen, in_onderzoek, indienen

pytestmark = pytest.mark.django_db

D = datetime.timedelta
VOT = "/api/v1/verzoeken-om-toewijzing/"
UREN = {"productcategorie": "02", "productcode": "02A01", "volume": 3, "eenheid": "04",
        "frequentie": "2", "ingangsdatum": BEGIN.isoformat()}  # fmt: skip
ONBEKEND = valid_bsn(7301)


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def vot(o, bsn, referentie, producten=None, **kwargs):
    return indienen(
        kwargs.pop("aanbieder", o.aanbieder), soort="toewijzing", referentie=referentie,
        producten=producten or [dict(UREN)], user=kwargs.pop("user", o.systeem), bsn=bsn,
        gemeente=SOEST, **kwargs,
    )  # fmt: skip


def aangevraagd(referentie, ingang=BEGIN, eind=None):
    return ("AangevraagdProduct", [
        ("ReferentieAanbieder", referentie),
        ("Product", [("Categorie", "02"), ("Code", "02A01")]),
        ("ToewijzingIngangsdatum", ingang.isoformat()),
        *([("ToewijzingEinddatum", eind.isoformat())] if eind else []),
        ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
        ("Verwijzer", [("Type", "01")]),
    ])  # fmt: skip


def wmo315(bsn, *producten):
    inhoud = bericht("315", client_305(bsn, list(producten), "AangevraagdeProducten"))
    geldig("315", inhoud)
    return inhoud


def wmo317(bsn, referentie, nummer, ingang, *, eind=None, ongewijzigd=(), dagtekening=None):
    te_wijzigen = [("ToewijzingNummer", nummer), ("GewensteIngangsdatum", ingang.isoformat())]
    if eind:
        te_wijzigen.append(("Einddatum", eind.isoformat()))
    verzoek = [("ReferentieAanbieder", referentie), ("RedenVerzoek", "1")]
    if ongewijzigd:
        verzoek.append(("OngewijzigdeProducten", [
            ("OngewijzigdProduct", [("ToewijzingNummer", n)]) for n in ongewijzigd
        ]))  # fmt: skip
    verzoek.append(("TeWijzigenProducten", [("TeWijzigenProduct", te_wijzigen)]))
    inhoud = bericht(
        "317", [("Client", [("Bsn", bsn), ("Verzoek", verzoek)])], dagtekening=dagtekening
    )
    geldig("317", inhoud)
    return inhoud


def codes(fout):
    return sorted({e.code for errors in fout.value.error_dict.values() for e in errors})


# --- TR374 / OP350: one open verzoek per aanbieder and client ----------------------------------


@pytest.mark.iwmo_regel("TR374", "OP350")
@pytest.mark.parametrize("wie", ["bekend", "onbekend"])
def test_a_second_verzoek_while_the_first_is_open_is_refused_alike_for_known_and_unknown(
    opzet, wie
):
    bsn = opzet.bsn if wie == "bekend" else ONBEKEND
    eerste = vot(opzet, bsn, "EERSTE")
    with pytest.raises(ValidationError) as fout:
        vot(opzet, bsn, "TWEEDE")
    assert codes(fout) == ["9374"]
    assert "EERSTE" in " ".join(fout.value.message_dict["bsn"])
    # The API answers the same for both: 400 naming bsn with code 9374.
    response = api(opzet.systeem).post(
        VOT, {"referentieAanbieder": "DERDE", "bsn": bsn, "gemeente": SOEST,
              "producten": [UREN]}, format="json",
    )  # fmt: skip
    assert response.status_code == 400
    [param] = response.json()["invalidParams"]
    assert (param["name"], param["code"]) == ("bsn", "9374")
    # Another aanbieder, or another client, is not held up; after the answer the next may come.
    vot(opzet, bsn, "ANDER", aanbieder=opzet.ander, user=opzet.systeem_ander)
    vot(opzet, valid_bsn(7302), "ANDERE-CLIENT")
    afwijzen(eerste, opzet.consulent, "6")
    assert vot(opzet, bsn, "NA-ANTWOORD").status == Verzoek.Status.INGEDIEND


@pytest.mark.iwmo_regel("TR374", "OP350")
def test_a_verzoek_om_wijziging_while_a_verzoek_is_open_is_refused(opzet):
    t = opzet.toewijzing()
    vot(opzet, opzet.bsn, "OPEN")
    [regel] = importeer(wmo317(opzet.bsn, "VOW-1", t.nummer, BEGIN), user=opzet.systeem)
    assert regel["retourcodes"] == ["9374"]
    assert not Verzoek.objects.filter(referentie="VOW-1").exists()


@pytest.mark.iwmo_regel("TR374")
def test_the_products_of_one_wmo315_are_one_verzoek_but_a_next_message_waits(opzet):
    eerste = importeer(
        wmo315(opzet.bsn, aangevraagd("A", BEGIN, BEGIN + D(9)), aangevraagd("B", BEGIN + D(10))),
        user=opzet.systeem,
    )
    assert [r["retourcodes"] for r in eerste] == [["0200"], ["0200"]]
    [tweede] = importeer(wmo315(opzet.bsn, aangevraagd("C")), user=opzet.systeem)
    assert tweede["retourcodes"] == ["9374"]


# --- TR386: no overlapping requests for the same product in one verzoek -----------------------


@pytest.mark.iwmo_regel("TR386")
def test_the_same_product_twice_in_overlapping_periods_is_refused(opzet):
    with pytest.raises(ValidationError) as fout:
        vot(
            opzet,
            opzet.bsn,
            "DUBBEL",
            [dict(UREN), dict(UREN, ingangsdatum=(BEGIN + D(5)).isoformat())],
        )
    assert codes(fout) == ["0001"]
    assert "TR386" in " ".join(fout.value.message_dict["producten.1.ingangsdatum"])
    with pytest.raises(OngeldigBericht) as fout:
        importeer(wmo315(opzet.bsn, aangevraagd("X"), aangevraagd("Y", BEGIN + D(5))),
                  user=opzet.systeem)  # fmt: skip
    assert "TR386" in str(fout.value)
    assert not Verzoek.objects.exists()
    # Periods that follow each other are fine.
    verzoek = vot(opzet, opzet.bsn, "NA-ELKAAR", [
        dict(UREN, einddatum=(BEGIN + D(9)).isoformat()),
        dict(UREN, ingangsdatum=(BEGIN + D(10)).isoformat()),
    ])  # fmt: skip
    assert len(verzoek.producten) == 2


# --- TR349 / TR350: a WMO317 names all current toewijzingen ------------------------------------


def _twee_actuele(opzet):
    return (
        opzet.toewijzing(ingang=BEGIN, eind=VANDAAG + D(5)),
        opzet.toewijzing(ingang=VANDAAG + D(6)),
    )


@pytest.mark.iwmo_regel("TR349")
def test_a_wmo317_without_all_current_toewijzingen_is_refused(opzet):
    eerste, tweede = _twee_actuele(opzet)
    [regel] = importeer(
        wmo317(opzet.bsn, "VOW-1", tweede.nummer, tweede.ingangsdatum), user=opzet.systeem
    )
    assert regel["retourcodes"] == ["9349"]
    assert str(eerste.nummer) in regel["meldingen"][0]
    [regel] = importeer(
        wmo317(opzet.bsn, "VOW-2", tweede.nummer, tweede.ingangsdatum,
               ongewijzigd=[eerste.nummer]),
        user=opzet.systeem,
    )  # fmt: skip
    assert regel["retourcodes"] == ["0200"]


@pytest.mark.iwmo_regel("TR350")
def test_an_ongewijzigd_product_is_a_current_toewijzing_of_the_client(opzet):
    eerste, tweede = _twee_actuele(opzet)
    van_ander = opzet.toewijzing(bp=opzet.bp2)  # another client's
    [regel] = importeer(
        wmo317(opzet.bsn, "VOW-1", tweede.nummer, tweede.ingangsdatum,
               ongewijzigd=[eerste.nummer, van_ander.nummer]),
        user=opzet.systeem,
    )  # fmt: skip
    assert regel["retourcodes"] == ["9350"]
    assert not Verzoek.objects.exists()


# --- TR357 / TR380: the dates of a WMO317 against its dagtekening -------------------------------


@pytest.mark.iwmo_regel("TR357")
def test_a_change_not_after_the_dagtekening_starts_at_the_toewijzing_s_ingangsdatum(opzet):
    t = opzet.toewijzing()  # from BEGIN, before today
    [regel] = importeer(wmo317(opzet.bsn, "VOW-1", t.nummer, BEGIN + D(3)), user=opzet.systeem)
    assert regel["retourcodes"] == ["9357"]
    [regel] = importeer(wmo317(opzet.bsn, "VOW-2", t.nummer, BEGIN), user=opzet.systeem)
    assert regel["retourcodes"] == ["0200"]


@pytest.mark.iwmo_regel("TR357")
def test_a_change_after_the_dagtekening_may_start_then(opzet):
    t = opzet.toewijzing()
    [regel] = importeer(wmo317(opzet.bsn, "VOW-1", t.nummer, VANDAAG + D(7)), user=opzet.systeem)
    assert regel["retourcodes"] == ["0200"]


@pytest.mark.iwmo_regel("TR380")
def test_the_einddatum_of_a_change_lies_after_the_dagtekening(opzet):
    t = opzet.toewijzing()
    [regel] = importeer(
        wmo317(opzet.bsn, "VOW-1", t.nummer, BEGIN, eind=VANDAAG), user=opzet.systeem
    )
    assert regel["retourcodes"] == ["0001"]
    assert "TR380" in regel["meldingen"][0]
    [regel] = importeer(
        wmo317(opzet.bsn, "VOW-2", t.nummer, BEGIN, eind=EIND - D(1)), user=opzet.systeem
    )
    assert regel["retourcodes"] == ["0200"]


# --- TR360 / TR365 / CD086: "aanvraag in onderzoek" first, then the final answer ---------------


def _web(user):
    from django.test import Client

    web = Client()
    web.force_login(user)
    return web


@pytest.mark.iwmo_regel("TR360", "TR365", "CD086")
def test_in_onderzoek_once_then_the_final_answer(opzet):
    verzoek = vot(opzet, opzet.bsn, "VOT-1")
    in_onderzoek(verzoek, opzet.consulent)
    verzoek.refresh_from_db()
    assert verzoek.status == Verzoek.Status.INGEDIEND and verzoek.in_onderzoek_op is not None
    root = etree.fromstring(wmo319_bericht(verzoek))
    assert root.findtext(".//{*}VerzoekAntwoord") == "2"
    assert root.find(".//{*}RedenAfwijzingVerzoek") is None  # CD086
    with pytest.raises(ValidationError) as fout:  # TR360: "in onderzoek" only once
        in_onderzoek(verzoek, opzet.consulent)
    assert fout.value.code == "9360"
    # Still open: the aanbieder waits (TR374) and the consulent gives the final answer.
    with pytest.raises(ValidationError):
        vot(opzet, opzet.bsn, "VOT-2")
    afwijzen(verzoek, opzet.consulent, "7")
    with pytest.raises(ValidationError) as fout:  # TR365: after a final answer, nothing more
        in_onderzoek(verzoek, opzet.consulent)
    assert fout.value.code == "9365"
    with pytest.raises(ValidationError) as fout:
        afwijzen(verzoek, opzet.consulent, "7")
    assert fout.value.code == "9365"


@pytest.mark.iwmo_regel("TR360", "CD086")
def test_the_consulent_answers_in_onderzoek_on_screen_and_downloads_the_wmo319(opzet):
    verzoek = vot(opzet, opzet.bsn, "VOT-1")
    web = _web(opzet.consulent)
    detail = reverse("toegang:verzoek-detail", args=[verzoek.pk])
    assert "aanvraag in onderzoek" in web.get(detail).content.decode()
    web.post(reverse("toegang:verzoek-in-onderzoek", args=[verzoek.pk]))
    pagina = web.get(detail).content.decode()
    assert "In onderzoek sinds" in pagina and "Eerst antwoorden" not in pagina
    bestand = web.post(reverse("toegang:verzoek-antwoordbericht", args=[verzoek.pk]))
    assert etree.fromstring(bestand.content).findtext(".//{*}VerzoekAntwoord") == "2"
    assert api(opzet.systeem).get(f"{VOT}{verzoek.pk}/").json()["inOnderzoekOp"] is not None


# --- OP274 / OP346: the answer term of 5 workdays ---------------------------------------------


@pytest.mark.iwmo_regel("OP274", "OP346")
def test_the_answer_term_is_five_workdays_shown_in_the_werkvoorraad_and_warned(opzet):
    verzoek = vot(opzet, opzet.bsn, "VOT-1")
    termijn = plus_werkdagen(VANDAAG, 5)
    assert verzoek.antwoord_uiterlijk == termijn
    lijst = _web(opzet.consulent).get(reverse("toegang:verzoeken")).content.decode()
    assert "Antwoord uiterlijk" in lijst and termijn.strftime("%-d-%-m-%Y") in lijst

    def notificaties():
        return list(
            Notificatie.objects.filter(user=opzet.consulent, sleutel__startswith="termijn:verzoek")
        )

    signaleer_termijnen(VANDAAG)  # five workdays left: not yet
    assert notificaties() == []
    signaleer_termijnen(plus_werkdagen(VANDAAG, 4))  # the day before the last day
    [melding] = notificaties()
    assert "VOT-1" in melding.tekst and "verloopt" in melding.tekst
    signaleer_termijnen(plus_werkdagen(VANDAAG, 4))  # a rerun tells nobody twice
    assert len(notificaties()) == 1
    # An answer "in onderzoek" meets the term: no more warnings, no deadline on the list.
    in_onderzoek(verzoek, opzet.consulent)
    signaleer_termijnen(plus_werkdagen(VANDAAG, 6))
    assert len(notificaties()) == 1


# --- OP359: a refusal for woonplaatsbeginsel names the responsible gemeente -------------------


@pytest.mark.iwmo_regel("OP359")
def test_a_refusal_for_woonplaatsbeginsel_names_the_responsible_gemeente(opzet):
    verzoek = vot(opzet, opzet.bsn, "VOT-1")
    with pytest.raises(ValidationError) as fout:
        afwijzen(verzoek, opzet.consulent, "8")
    assert "verantwoordelijk" in " ".join(fout.value.message_dict["verantwoordelijke_gemeente"])
    with pytest.raises(ValidationError) as fout:
        afwijzen(verzoek, opzet.consulent, "8", verantwoordelijke_gemeente=SOEST)
    assert "verantwoordelijke_gemeente" in fout.value.message_dict
    andere = Gemeente.objects.exclude(code=SOEST).order_by("code").first()
    afwijzen(verzoek, opzet.consulent, "8", "Cliënt woont elders.", andere.code)
    verzoek.refresh_from_db()
    assert verzoek.verantwoordelijke_gemeente == andere
    assert andere.naam in verzoek.toelichting_antwoord
    antwoord = api(opzet.systeem).get(f"{VOT}{verzoek.pk}/").json()
    assert (antwoord["redenAfwijzing"], antwoord["verantwoordelijkeGemeente"]) == ("8", andere.code)


@pytest.mark.iwmo_regel("OP359")
def test_the_afwijzen_form_asks_for_the_responsible_gemeente(opzet):
    verzoek = vot(opzet, opzet.bsn, "VOT-1")
    url = reverse("toegang:verzoek-afwijzen", args=[verzoek.pk])
    response = _web(opzet.consulent).post(url, {"reden_afwijzing": "8", "toelichting": ""})
    assert response.status_code == 200
    assert "verantwoordelijk" in " ".join(
        response.context["form"].errors["verantwoordelijke_gemeente"]
    )
    verzoek.refresh_from_db()
    assert verzoek.status == Verzoek.Status.INGEDIEND
