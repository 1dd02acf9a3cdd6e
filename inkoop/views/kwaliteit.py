"""kwaliteit screens of the inkoop workplace."""

urlpatterns = []
