"""Imports of the finance workplace (issue 7), each refused whole with every error (row,
column, Dutch reason) when one row is wrong, and never a BSN in an error, the audit log or
command output. Format and examples: financien/IMPORT.md.

- ``kostenregels``: pgb payments and handmatige kostenregels (``importeer_kostenregels``);
- ``conversie``: the BW caseload at the cut-over with each person's first BW start
  (``importeer_conversie``);
- ``bestand``: the columns, the header and the values only these imports know (the file itself
  is read by ``regio.tabel``, the one reader of every upload);
- ``gedeeld``: the course of an import, its result and the shared look-ups and checks.
"""
