from toegang.views import (
    beschikkingen,
    declaraties,
    doorstroom,
    dossiers,
    meldingen,
    plaatsing,
    regie,
    toewijzingen,
    verzoeken,
    wachtlijst,
    wachtlijstrapport,
    wachtstatus,
    werkvoorraad,
)

app_name = "toegang"

# Each screen module keeps its own routes; this list only joins them.
urlpatterns = [
    *werkvoorraad.urlpatterns,
    *dossiers.urlpatterns,
    *meldingen.urlpatterns,
    *beschikkingen.urlpatterns,
    *toewijzingen.urlpatterns,
    *wachtlijstrapport.urlpatterns,
    *wachtlijst.urlpatterns,
    *plaatsing.urlpatterns,
    *doorstroom.urlpatterns,
    *regie.urlpatterns,
    *wachtstatus.urlpatterns,
    *verzoeken.urlpatterns,
    *declaraties.urlpatterns,
]
