from django.urls import path

from . import views

app_name = "toegang"

urlpatterns = [
    path("dossiers/", views.DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<int:pk>/", views.DossierDetailView.as_view(), name="dossier-detail"),
]
