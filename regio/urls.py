from django.urls import path

from regio import views

app_name = "regio"

urlpatterns = [
    path("mijn-instellingen/", views.MijnInstellingenView.as_view(), name="mijn-instellingen"),
    path("regio/<slug:slug>/", views.RegioDetailView.as_view(), name="detail"),
    path("regio/<slug:slug>/overzicht.pdf", views.RegioPdfView.as_view(), name="pdf"),
    path(
        "regio/<slug:slug>/ledenoverzicht/",
        views.LedenoverzichtStartView.as_view(),
        name="ledenoverzicht",
    ),
    path("taken/<int:pk>/", views.JobRunDetailView.as_view(), name="jobrun-detail"),
    path("taken/<int:pk>/status/", views.JobRunStatusView.as_view(), name="jobrun-status"),
    path(
        "taken/<int:pk>/bestanden/<int:bestand_id>/",
        views.JobResultaatDownloadView.as_view(),
        name="jobrun-bestand",
    ),
]
