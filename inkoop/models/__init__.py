"""Every model of inkoop, defined in its sub-area (``inkoop.<sub-area>.models``) and re-exported
here, so that the app label, the table names and the migrations stay as they are."""

from inkoop.apisleutels.models import (  # noqa: F401
    ApiSleutel,
)
from inkoop.contracten.models import (  # noqa: F401
    Aanbieder,
    Bekostiging,
    Bestedingsruimte,
    Contactpersoon,
    Contract,
    ContractDocument,
    Perceel,
    Product,
    Tarief,
    Toerekeningsbasis,
    Verlengingsoptie,
    contract_document_path,
)
from inkoop.kwaliteit.models import (  # noqa: F401
    Certificaat,
    Kwaliteitssignaal,
    Melding,
    Onderaanneming,
)
from inkoop.locaties.models import (  # noqa: F401
    Capaciteit,
    Locatie,
    VrijePlaatsenMelding,
)
from inkoop.rapportages.models import (  # noqa: F401
    Rapportage,
    Rapportageopmerking,
    Rapportageregel,
    Rapportagestap,
)
