from inkoop.apisleutels import views as api_sleutels
from inkoop.contracten.views import aanbieders, contracten, dashboard
from inkoop.kwaliteit.views import kwaliteit, signalen
from inkoop.locaties import views as locaties
from inkoop.rapportages import views as rapportages

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
