import datetime

from django.db.models import Exists, OuterRef, Q

from regio.query import ActiveOnQuerySetMixin, RegioWideQuerySet, Scope, ScopedQuerySet


class AanbiederQuerySet(ScopedQuerySet):
    """An aanbieder (and what belongs to it: ``aanbieder_path``) is visible to its own users, and
    to the roles of a regio or gemeente where it holds a contract."""

    aanbieder_path = "pk"

    def scope_condition(self, scope: Scope) -> Q | None:
        from inkoop.models import Contract

        path = self.aanbieder_path
        condition = (
            Q(**{f"{path}__in": sorted(scope.aanbieder_ids)}) if scope.aanbieder_ids else None
        )
        contracts = Contract.objects.filter(aanbieder=OuterRef(path))
        if scope.regio_ids or scope.gemeente_ids:
            within = Q(Exists(contracts.filter(regio_id__in=sorted(scope.regio_ids)))) | Q(
                Exists(contracts.filter(gemeenten__in=sorted(scope.gemeente_ids)))
            )
            condition = within if condition is None else condition | within
        if scope.regio_ids and path == "pk":
            # A newly registered aanbieder (no contract anywhere yet) is visible to the regio
            # roles, so RISB can find it and give it its first contract. Its register data (AGB,
            # KvK) is public; what belongs to it stays scoped by contract.
            unattached = ~Q(Exists(contracts))
            condition = unattached if condition is None else condition | unattached
        return condition


class PerceelQuerySet(ActiveOnQuerySetMixin, RegioWideQuerySet):
    regio_path = "regio"


class CatalogusQuerySet(ActiveOnQuerySetMixin, RegioWideQuerySet):
    regio_path = "perceel__regio"


class TariefQuerySet(ActiveOnQuerySetMixin, RegioWideQuerySet):
    regio_path = "product__perceel__regio"


class ContractQuerySet(ScopedQuerySet):
    """Contracts (and what belongs to one: ``contract_path``): the regio's roles, the aanbieder's
    own users, and the roles of a gemeente the contract covers."""

    contract_path = "pk"

    def scope_condition(self, scope: Scope) -> Q | None:
        from inkoop.models import Contract

        path = "" if self.contract_path == "pk" else f"{self.contract_path}__"
        parts = []
        if scope.regio_ids:
            parts.append(Q(**{f"{path}regio_id__in": sorted(scope.regio_ids)}))
        if scope.aanbieder_ids:
            parts.append(Q(**{f"{path}aanbieder_id__in": sorted(scope.aanbieder_ids)}))
        if scope.gemeente_ids:
            covers = Contract.gemeenten.through.objects.filter(
                contract_id=OuterRef(self.contract_path), gemeente_id__in=sorted(scope.gemeente_ids)
            )
            parts.append(Q(Exists(covers)))
        condition = None
        for part in parts:
            condition = part if condition is None else condition | part
        return condition

    def lopend_op(self, datum: datetime.date):
        """Contracts running on ``datum`` (begin up to the end including used extensions)."""
        return self.filter(begin__lte=datum, looptijd_einde__gte=datum)

    def regionaal(self):
        """The regio's own contracts, without BDVO's (each of those is for one client only)."""
        return self.exclude(soort="bdvo")

    def geldig_voor(self, client_id=None):
        """The contracts that can carry care for ``client_id`` (a ``toegang.Client`` pk, or
        None for no client in particular): the regio's contracts, and the approved BDVO's of
        that one client."""
        regionaal = ~Q(soort="bdvo")
        if client_id is None:
            return self.filter(regionaal)
        bdvo = Q(soort="bdvo", bdvo_client=client_id, goedgekeurd_op__isnull=False)
        return self.filter(regionaal | bdvo)


class PerContractQuerySet(ContractQuerySet):
    """Rows that belong to one contract (reports, documents, subcontractors, budgets)."""

    contract_path = "contract"


class PerAanbiederQuerySet(AanbiederQuerySet):
    """Rows that belong to one aanbieder (locations, certificates, incidents)."""

    aanbieder_path = "aanbieder"


class CapaciteitQuerySet(ActiveOnQuerySetMixin, AanbiederQuerySet):
    aanbieder_path = "locatie__aanbieder"


class VrijePlaatsenQuerySet(AanbiederQuerySet):
    aanbieder_path = "locatie__aanbieder"


class RapportageDeelQuerySet(ContractQuerySet):
    """Lines, comments and transitions of a rapportage."""

    contract_path = "rapportage__contract"


class RegioScopedQuerySet(ScopedQuerySet):
    """Rows of the regio's own work (quality signals): its regio roles only, not the
    aanbieder they are about."""

    scope_paths = {"regio": "regio"}
