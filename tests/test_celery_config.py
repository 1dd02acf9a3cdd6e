import pytest

from config.celery import app


def test_celery_is_configured_for_reliable_jobs():
    conf = app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # With acks_late a task is redelivered after the visibility timeout: it must outlast a task.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db
def test_beat_reads_its_schedule_from_the_database():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(name="ledenoverzicht-test", task="jobs.regio.ledenoverzicht",
                                interval=every_hour)  # fmt: skip
    scheduler = DatabaseScheduler(app=app, lazy=True)
    assert "ledenoverzicht-test" in scheduler.all_as_schedule()
