from toegang.beschikkingen import brieftekst_views
from toegang.beschikkingen import views as beschikkingen
from toegang.dossiers import views as dossiers
from toegang.meldingen import views as meldingen
from toegang.toewijzingen.views import declaraties, toewijzingen, verzoeken
from toegang.wachtlijst.views import bdvo, doorstroom, plaatsing, regie, wachtlijst, wachtstatus
from toegang.wachtlijst.views import rapport as wachtlijstrapport
from toegang.werkvoorraad import views as werkvoorraad

app_name = "toegang"

# Each screen module keeps its own routes; this list only joins them.
urlpatterns = [
    *werkvoorraad.urlpatterns,
    *dossiers.urlpatterns,
    *meldingen.urlpatterns,
    *beschikkingen.urlpatterns,
    *brieftekst_views.urlpatterns,
    *toewijzingen.urlpatterns,
    *wachtlijstrapport.urlpatterns,
    *wachtlijst.urlpatterns,
    *plaatsing.urlpatterns,
    *doorstroom.urlpatterns,
    *bdvo.urlpatterns,
    *regie.urlpatterns,
    *wachtstatus.urlpatterns,
    *verzoeken.urlpatterns,
    *declaraties.urlpatterns,
]
