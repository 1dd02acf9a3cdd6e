import pytest
from django.db import DatabaseError, transaction

from regio.models import AuditEntry
from tests.factories import UserFactory, dossier_in, grant

pytestmark = pytest.mark.django_db


def test_audit_table_refuses_update_and_delete():
    entry = AuditEntry.objects.create(actie="view", actor="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor="y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.actor == "x"


def test_reading_dossiers_writes_one_audit_row_listing_them(client, refdata):
    user = UserFactory(username="c-audit")
    grant(user, "consulent", gemeente="0342")
    shown = [dossier_in("0342") for _ in range(3)]
    client.force_login(user)
    before = AuditEntry.objects.count()
    client.get("/toegang/dossiers/", REMOTE_ADDR="10.1.2.3")
    rows = list(AuditEntry.objects.all()[: AuditEntry.objects.count() - before])
    assert len(rows) == 1
    row = rows[0]
    assert (row.actie, row.object_type, row.actor, row.herkomst) == (
        "view",
        "toegang.dossier",
        "c-audit",
        "10.1.2.3",
    )
    assert set(row.object_ids) == {str(d.pk) for d in shown}


def test_login_and_failed_login_are_audited_without_secrets(client):
    UserFactory(username="inlogger")
    client.post("/accounts/login/", {"username": "inlogger", "password": "fout-wachtwoord"})
    client.post("/accounts/login/", {"username": "123456782", "password": "geheim123"})
    client.post("/accounts/login/", {"username": "inlogger", "password": "demo"})
    acties = list(AuditEntry.objects.order_by("id").values_list("actie", "resultaat"))
    assert acties == [("login_failed", "denied"), ("login_failed", "denied"), ("login", "ok")]
    dump = str(list(AuditEntry.objects.values()))
    assert "123456782" not in dump  # a BSN typed as username is masked
    assert "geheim123" not in dump and "fout-wachtwoord" not in dump


def test_no_bsn_in_audit_of_dossier_reads(client, refdata):
    user = UserFactory(username="c-bsn")
    grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342")
    client.force_login(user)
    client.get(f"/toegang/dossiers/{dossier.pk}/")
    dump = str(list(AuditEntry.objects.values()))
    assert dossier.client.persoon.bsn not in dump


def test_changes_through_a_scoped_edit_view_are_audited(rf, refdata):
    from django.views.generic import UpdateView

    from regio.mixins import ScopedViewMixin
    from toegang.models import Dossier

    class DossierSluiten(ScopedViewMixin, UpdateView):
        model = Dossier
        capability = "toegang.change_dossier"
        fields = ["status"]
        success_url = "/klaar/"

    user = UserFactory(username="c-wijzig")
    grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342")
    request = rf.post("/x/", {"status": "gesloten"})
    request.user = user
    response = DossierSluiten.as_view()(request, pk=dossier.pk)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "gesloten"
    entry = AuditEntry.objects.filter(actie="change").get()
    assert (entry.object_type, entry.object_ids, entry.actor) == (
        "toegang.dossier",
        [str(dossier.pk)],
        "c-wijzig",
    )
    # Outside the scope the same view answers 404 and changes nothing.
    baarn = dossier_in("0308")
    from django.http import Http404

    with pytest.raises(Http404):
        DossierSluiten.as_view()(request, pk=baarn.pk)
    baarn.refresh_from_db()
    assert baarn.status == "open"


def test_refused_dossier_read_is_audited_as_denied(client, refdata):
    user = UserFactory(username="c-nieuwsgierig")
    grant(user, "consulent", gemeente="0342")
    baarn = dossier_in("0308")
    client.force_login(user)
    assert client.get(f"/toegang/dossiers/{baarn.pk}/").status_code == 404
    entry = AuditEntry.objects.get(actie="view")
    assert (entry.resultaat, entry.object_ids, entry.actor) == (
        "denied",
        [str(baarn.pk)],
        "c-nieuwsgierig",
    )


def test_the_origin_is_the_address_our_proxy_saw_not_what_the_client_claims(rf, settings):
    from regio.audit import client_ip

    settings.REGIOZORG_TRUSTED_PROXIES = ["172.16.0.2"]
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1", REMOTE_ADDR="172.16.0.2")
    assert client_ip(forged) == "10.0.0.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="172.16.0.2")) == "172.16.0.2"
    # From anyone but our proxy the header is ignored.
    assert (
        client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1", REMOTE_ADDR="8.8.8.8")) == "8.8.8.8"
    )
