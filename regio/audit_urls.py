"""The privacy officer's screens over the audit log."""

from django.urls import path  # noqa: F401

app_name = "audit"

urlpatterns = []
