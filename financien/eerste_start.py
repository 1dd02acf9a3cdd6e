"""The first start of beschermd wonen of a person (``EersteBWStart``), for callers outside the
taakgerichte toerekening (an accepted declaratie of a BW product).

The rule and its one SQL statement: the earliest non-ingetrokken BW toewijzing of the client up
to a date, across contracts, gemeenten and regio's; a row made earlier (or by the conversie)
wins. Used by the taakgerichte toerekening and by accepted declaraties.
"""

from __future__ import annotations

import datetime

from django.db import connection

from financien.models import EersteBWStart
from financien.taakgericht import tabellen
from regio.models import Domein
from toegang.models import Toewijzing

# The first day in BW care of each given client without an EersteBWStart: the earliest
# ingangsdatum (ties: lowest id) of their non-ingetrokken toewijzingen of a BW-domein functie up
# to %(tot)s, across contracts, gemeenten and regio's; the row takes that toewijzing's regio,
# gemeente and aanbieder. ON CONFLICT: a row made meanwhile (or by the conversie) wins.
EERSTE_BW_START_SQL = """
INSERT INTO {eerste} (client_id, regio_id, gemeente_herkomst_id, aanbieder_id, datum, bron)
SELECT DISTINCT ON (bp.client_id)
       bp.client_id, c.regio_id, t.gemeente_id, t.aanbieder_id, t.ingangsdatum, %(bron)s
FROM {toewijzing} t
JOIN {beschiktproduct} bp ON bp.id = t.beschikt_product_id
JOIN {product} p ON p.id = bp.product_id
JOIN {contract} c ON c.id = t.contract_id
WHERE bp.client_id = ANY(%(clients)s::uuid[])
  AND p.domein = %(domein)s
  AND t.status <> %(ingetrokken)s
  AND t.ingangsdatum <= %(tot)s::date
  AND NOT EXISTS (SELECT 1 FROM {eerste} e WHERE e.client_id = bp.client_id)
ORDER BY bp.client_id, t.ingangsdatum, t.id
ON CONFLICT (client_id) DO NOTHING
"""


def registreer_eerste_bw_start(client_ids, tot: datetime.date) -> int:
    """Record an ``EersteBWStart`` (bron regiozorg) for each of ``client_ids`` that has none,
    from their earliest BW toewijzing starting on or before ``tot``. Returns how many rows were
    made. Call inside the transaction that records the care."""
    clients = sorted({str(c) for c in client_ids})
    if not clients:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            EERSTE_BW_START_SQL.format(**tabellen()),
            {
                "clients": clients,
                "domein": Domein.BESCHERMD_WONEN,
                "ingetrokken": Toewijzing.Status.INGETROKKEN,
                "tot": tot,
                "bron": EersteBWStart.Bron.REGIOZORG,
            },
        )
        return max(cursor.rowcount, 0)
