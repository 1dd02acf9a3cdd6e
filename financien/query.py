from regio.query import RegioWideQuerySet


class VerdeelmodelQuerySet(RegioWideQuerySet):
    regio_path = "regio"


class VerdeelmodelAandeelQuerySet(RegioWideQuerySet):
    regio_path = "verdeelmodel__regio"
