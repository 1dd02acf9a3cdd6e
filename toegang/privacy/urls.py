"""Erasure requests (AVG) and destruction of dossiers past their retention period."""

from django.urls import path

from toegang.privacy import views as v

app_name = "privacy"

urlpatterns = [
    path("", v.LijstListView.as_view(), name="lijst-list"),
    path("vernietigingslijsten/<int:pk>/", v.LijstDetailView.as_view(), name="lijst-detail"),
    path(
        "vernietigingslijsten/<int:pk>/goedkeuren/",
        v.LijstGoedkeurenView.as_view(),
        name="lijst-goedkeuren",
    ),
    path(
        "vernietigingslijsten/<int:pk>/afwijzen/",
        v.LijstAfwijzenView.as_view(),
        name="lijst-afwijzen",
    ),
    path(
        "vernietigingslijsten/<int:pk>/uitvoeren/",
        v.LijstUitvoerenView.as_view(),
        name="lijst-uitvoeren",
    ),
    path(
        "vernietigingsregels/<int:pk>/uitzonderen/",
        v.RegelUitzonderenView.as_view(),
        name="regel-uitzonderen",
    ),
    path(
        "vernietigingsregels/<int:pk>/opnemen/",
        v.RegelOpnemenView.as_view(),
        name="regel-opnemen",
    ),
    path("verwijderverzoeken/", v.VerzoekListView.as_view(), name="verzoek-list"),
    path(
        "verwijderverzoeken/nieuw/",
        v.VerzoekRegistrerenView.as_view(),
        name="verzoek-registreren",
    ),
    path("verwijderverzoeken/<int:pk>/", v.VerzoekDetailView.as_view(), name="verzoek-detail"),
    path(
        "verwijderverzoeken/<int:pk>/uitvoeren/",
        v.VerzoekUitvoerenView.as_view(),
        name="verzoek-uitvoeren",
    ),
    path(
        "verwijderverzoeken/<int:pk>/afwijzen/",
        v.VerzoekAfwijzenView.as_view(),
        name="verzoek-afwijzen",
    ),
]
