"""``python -m config.benchdata.job JAAR``: the largest job (the verevening of every regio with
parameters for the year, as ``manage.py verevening --alle`` runs it, rolled back) in its own
process; prints what ran and its peak RSS in KiB."""

import resource
import sys
import time


def main(jaar: int) -> int:
    import django

    django.setup()
    from django.db import transaction

    from financien import runs
    from financien.models import Kostenregel
    from regio.models import Regio

    regios = list(Regio.objects.filter(jaarparameters__jaar=jaar).order_by("pk"))
    n = Kostenregel.objects.filter(jaar=jaar, regio__in=regios).count()
    started = time.perf_counter()
    with transaction.atomic():
        runs.bereken_runs(regios, jaar)
        transaction.set_rollback(True)
    seconden = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"verevening of all {len(regios)} regions, {n:,} kostenregels, {seconden:.2f} s rss={rss}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
