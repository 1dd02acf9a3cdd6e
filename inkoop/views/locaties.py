"""locaties screens of the inkoop workplace."""

urlpatterns = []
