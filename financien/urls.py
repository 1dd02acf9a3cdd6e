from financien.views import dashboard, imports, parameters, verevening

app_name = "financien"

# Each screen module keeps its own routes; this list only joins them.
urlpatterns = [
    *parameters.urlpatterns,
    *verevening.urlpatterns,
    *dashboard.urlpatterns,
    *imports.urlpatterns,
]
