"""iWmo 3.2 XML messages: reading them safely, validating them against the XSDs in ``xsd/``
(copied from ``shared/iwmo/xsd``), writing WMO301/WMO319 and importing WMO305, 307, 315, 317 and
323 through the same services as the REST API. Command: ``python manage.py iwmo``."""

from toegang.toewijzingen.iwmo_xml.export import antwoord, wmo301_berichten, wmo319_bericht
from toegang.toewijzingen.iwmo_xml.importeren import importeer
from toegang.toewijzingen.iwmo_xml.schema import Fout, OngeldigBericht, valideer

__all__ = [
    "Fout",
    "OngeldigBericht",
    "antwoord",
    "importeer",
    "valideer",
    "wmo301_berichten",
    "wmo319_bericht",
]
