import datetime

import factory

from regio.models import Gemeente, Regio, Rol, Roltoekenning, User
from toegang.models import Client, Dossier, Persoon


def valid_bsn(n: int) -> str:
    """The n-th 9-digit number (from 100000000 up) that passes the elfproef."""
    from regio.validators import is_valid_bsn

    candidate = 100_000_000 + n * 37
    while not is_valid_bsn(str(candidate)):
        candidate += 1
    return str(candidate)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    password = factory.django.Password("demo")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client


class PersoonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persoon

    client = factory.SubFactory(ClientFactory)
    bsn = factory.Sequence(valid_bsn)
    voornamen = "Jan"
    geslachtsnaam = factory.Sequence(lambda n: f"Achternaam{n}")


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    geopend_op = datetime.date(2026, 1, 15)
    persoon = factory.RelatedFactory(PersoonFactory, client=factory.SelfAttribute("..client"))


def gemeente(code: str) -> Gemeente:
    return Gemeente.objects.get(code=code)


def regio(code: str) -> Regio:
    return Regio.objects.get(code=code)


def grant(user, rol_code: str, *, gemeente=None, regio=None, aanbieder=None, begin=None,
          einde=None):  # fmt: skip
    """Give ``user`` the rol for a gemeente or regio (by object or code) or an aanbieder."""
    if isinstance(gemeente, str):
        gemeente = Gemeente.objects.get(code=gemeente)
    if isinstance(regio, str):
        regio = Regio.objects.get(code=regio)
    return Roltoekenning.objects.create(
        user=user,
        rol=Rol.objects.get(code=rol_code),
        gemeente=gemeente,
        regio=regio,
        aanbieder=aanbieder,
        begin=begin or datetime.date(2020, 1, 1),
        einde=einde,
    )


def dossier_in(code: str, **kwargs) -> Dossier:
    return DossierFactory(verantwoordelijke_gemeente=gemeente(code), **kwargs)


# --- inkoop -------------------------------------------------------------------------------------


class AanbiederFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inkoop.Aanbieder"
        django_get_or_create = ["agb_code"]

    naam = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    agb_code = factory.Sequence(lambda n: f"{75000000 + n:08d}")
    kvk_nummer = factory.Sequence(lambda n: f"{60000000 + n:08d}")


class PerceelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inkoop.Perceel"

    regio = factory.LazyFunction(lambda: Regio.objects.get(code="amersfoort"))
    code = factory.Sequence(lambda n: f"perceel-{n}")
    naam = factory.Sequence(lambda n: f"Perceel {n}")
    bekostiging = "taakgericht"
    begin = datetime.date(2023, 1, 1)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inkoop.Product"

    perceel = factory.SubFactory(PerceelFactory)
    code = factory.Sequence(lambda n: f"product-{n}")
    naam = factory.Sequence(lambda n: f"Product {n}")
    soort = "functie"
    domein = "beschermd_wonen"
    productcategorie = "15"
    begin = factory.SelfAttribute("perceel.begin")


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract of an aanbieder in regio Amersfoort covering the given gemeenten (codes) and
    percelen; by default all BW members of the regio and one new perceel."""

    class Meta:
        model = "inkoop.Contract"
        skip_postgeneration_save = True

    aanbieder = factory.SubFactory(AanbiederFactory)
    regio = factory.LazyFunction(lambda: Regio.objects.get(code="amersfoort"))
    kenmerk = factory.Sequence(lambda n: f"AMF-{n:04d}")
    soort = "raamovereenkomst"
    bekostiging = "taakgericht"
    begin = datetime.date(2023, 1, 1)
    einde = datetime.date(2026, 12, 31)

    @factory.post_generation
    def gemeenten(self, create, extracted, **kwargs):
        codes = extracted or ["0307", "0308", "0313", "0327", "0267", "0342", "0351"]
        self.gemeenten.set(Gemeente.objects.filter(code__in=codes))

    @factory.post_generation
    def percelen(self, create, extracted, **kwargs):
        self.percelen.set(extracted or [PerceelFactory(regio=self.regio)])


def consulent(username: str, gemeente: str, **fields):
    """A user who is consulent of the lokaal team of ``gemeente`` (CBS code)."""
    user = UserFactory(username=username, **fields)
    grant(user, "consulent", gemeente=gemeente)
    return user


def beschikt_product(dossier, product, ingang, eind, user, *, status="vastgesteld", volume=None,
                     eenheid="", frequentie=""):  # fmt: skip
    """A beschikking with one toegekend product for ``dossier``. Made as concept (the database
    refuses new products under a vastgestelde beschikking), then moved on to ``status`` with the
    product active, the way the service does."""
    from django.utils import timezone

    from toegang.models import Beschikking, BeschiktProduct

    beschikking = Beschikking.objects.create(
        dossier=dossier, perceel=product.perceel, besluit="toekenning", motivering="Nodig.",
        ingangsdatum=ingang, einddatum=eind, opgesteld_door=user,
    )  # fmt: skip
    bp = BeschiktProduct.objects.create(
        beschikking=beschikking, product=product, ingangsdatum=ingang, einddatum=eind,
        volume=volume, eenheid=eenheid, frequentie=frequentie, client=dossier.client,
        productcategorie=product.productcategorie,
    )  # fmt: skip
    if status != "concept":
        Beschikking.objects.filter(pk=beschikking.pk).update(
            status=status, vastgesteld_op=timezone.now()
        )
        BeschiktProduct.objects.filter(pk=bp.pk).update(actief=True)
    return BeschiktProduct.objects.select_related(
        "product__perceel", "beschikking__dossier__verantwoordelijke_gemeente"
    ).get(pk=bp.pk)


def aanbiedersysteem(aanbieder, username: str):
    """The technical user of an aanbieder's API credential (role Aanbiedersysteem)."""
    user = UserFactory(username=username)
    grant(user, "aanbiedersysteem", aanbieder=aanbieder)
    return user
