"""The privacy officer's screens over the audit log: a client's trail (toegang) and the logins of
the staff (regio), under one namespace."""

from django.urls import path

from regio import audit_views
from toegang.privacy import audit_views as client_views

app_name = "audit"

urlpatterns = [
    path("", client_views.AuditZoekView.as_view(), name="zoek"),
    path("client/<uuid:client>/", client_views.AuditClientView.as_view(), name="client"),
    path("inloggen/", audit_views.InlogpogingenView.as_view(), name="inloggen"),
]
