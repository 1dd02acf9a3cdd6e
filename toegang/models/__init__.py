"""Every model of the toegang, defined in its sub-area (``toegang.<sub-area>.models``) and
re-exported here, so that the app label, the table names and the migrations stay as they are and
``from toegang.models import Dossier`` works everywhere outside the model modules themselves."""

from toegang.beschikkingen.models import (  # noqa: F401
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Bezwaaruitstel,
    Brieftekst,
    Verzuimherstel,
)
from toegang.dossiers.models import (  # noqa: F401
    Adres,
    Client,
    Dossier,
    DossierGroupObjectPermission,
    DossierUserObjectPermission,
    Persoon,
    PersoonManager,
    Relatie,
    bsn_hash,
)
from toegang.meldingen.models import (  # noqa: F401
    Aanvraag,
    Document,
    Melding,
    Opschorting,
    dossier_document_path,
)
from toegang.privacy.models import (  # noqa: F401
    Vernietigingslijst,
    Vernietigingsregel,
    Verwijderverzoek,
)
from toegang.toewijzingen.models import (  # noqa: F401
    Declaratie,
    Declaratieregel,
    IngediendBericht,
    Toewijzing,
    Toewijzingnummerreeks,
    UitgaandBericht,
    Verzoek,
    Zorgperiode,
)
from toegang.wachtlijst.models import (  # noqa: F401
    Aanmelding,
    BuitenregionaalStatus,
    Evaluatie,
    Plaatsing,
    Trajectdoel,
    Trajectplan,
    Uitstroomreden,
    Wachtlijstgebeurtenis,
    Wachtstatusbericht,
    Zorgbeweging,
)
