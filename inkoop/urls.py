from inkoop.views import (
    aanbieders,
    api_sleutels,
    contracten,
    dashboard,
    kwaliteit,
    locaties,
    rapportages,
    signalen,
)

app_name = "inkoop"

# Each screen module keeps its own routes; this list only joins them.
urlpatterns = [
    *dashboard.urlpatterns,
    *aanbieders.urlpatterns,
    *contracten.urlpatterns,
    *locaties.urlpatterns,
    *kwaliteit.urlpatterns,
    *rapportages.urlpatterns,
    *signalen.urlpatterns,
    *api_sleutels.urlpatterns,
]
