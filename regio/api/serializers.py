from rest_framework import serializers

from regio.models import Gemeente


class GemeenteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gemeente
        fields = ["code", "naam", "provincie"]
