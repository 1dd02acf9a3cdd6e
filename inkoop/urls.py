from .views import aanbieders, contracten, dashboard, kwaliteit, locaties, rapportages

app_name = "inkoop"

# Each screen module keeps its own routes; this list only joins them.
urlpatterns = [
    *dashboard.urlpatterns,
    *aanbieders.urlpatterns,
    *contracten.urlpatterns,
    *locaties.urlpatterns,
    *kwaliteit.urlpatterns,
    *rapportages.urlpatterns,
]
