"""Erasure requests (AVG) and destruction of dossiers past their retention period."""

from django.urls import path  # noqa: F401

app_name = "privacy"

urlpatterns = []
