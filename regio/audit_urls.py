"""The privacy officer's screens over the audit log."""

from django.urls import path

from regio import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.AuditZoekView.as_view(), name="zoek"),
    path("client/<uuid:client>/", audit_views.AuditClientView.as_view(), name="client"),
    path("inloggen/", audit_views.InlogpogingenView.as_view(), name="inloggen"),
]
