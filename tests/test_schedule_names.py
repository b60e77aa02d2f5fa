"""Schedule tables name tasks by their registered name, not their bare name."""

from __future__ import annotations

from helpers import check

TASK = """
    import anthropic
    from celery import shared_task

    client = anthropic.Anthropic()


    @shared_task{args}
    def refresh():
        for row in ["x", "y"]:
            client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{{"role": "user", "content": row}}])
"""


def _scheduled(tmp_path, files) -> dict[str, str]:
    """path -> message and schedule of its finding ("" when it has no schedule)."""
    result = check(tmp_path, {"a/__init__.py": "", "b/__init__.py": "", **files})
    return {f.path.replace("\\", "/"): f"{f.message} {f.scheduled_by}" if f.scheduled_by else "" for f in result.findings}


def test_same_task_name_in_two_modules_each_gets_its_own_beat_entry(tmp_path):
    found = _scheduled(tmp_path, {
        "a/tasks.py": TASK.format(args=""),
        "b/tasks.py": TASK.format(args=""),
        "settings.py": """
            from celery.schedules import crontab

            CELERY_BEAT_SCHEDULE = {
                "a-refresh": {"task": "a.tasks.refresh", "schedule": crontab(hour=1)},
                "b-refresh": {"task": "b.tasks.refresh", "schedule": crontab(hour=2, minute=0)},
            }
        """,
    })
    assert "'a-refresh'" in found["a/tasks.py"] and "hour=1" in found["a/tasks.py"]
    assert "'b-refresh'" in found["b/tasks.py"] and "hour=2" in found["b/tasks.py"]


def test_beat_entry_for_one_module_does_not_schedule_the_other(tmp_path):
    found = _scheduled(tmp_path, {
        "a/tasks.py": TASK.format(args=""),
        "b/tasks.py": TASK.format(args=""),
        "settings.py": """
            from celery.schedules import crontab

            CELERY_BEAT_SCHEDULE = {"a-refresh": {"task": "a.tasks.refresh", "schedule": crontab(hour=1)}}
        """,
    })
    assert "'a-refresh'" in found["a/tasks.py"]
    assert found["b/tasks.py"] == ""  # a Celery task still, but no schedule of its own


def test_beat_entry_matches_the_name_given_on_the_decorator(tmp_path):
    found = _scheduled(tmp_path, {
        "a/tasks.py": TASK.format(args='(name="reports.refresh_all")'),
        "b/tasks.py": TASK.format(args=""),
        "celeryconfig.py": """
            beat_schedule = {"nightly": {"task": "reports.refresh_all", "schedule": 86400.0}}
        """,
    })
    assert "'nightly'" in found["a/tasks.py"]
    assert found["b/tasks.py"] == ""


def test_beat_entry_with_an_unplaceable_module_falls_back_to_a_unique_function_name(tmp_path):
    found = _scheduled(tmp_path, {
        "a/tasks.py": TASK.format(args=""),
        "celeryconfig.py": """
            beat_schedule = {"nightly": {"task": "proj.somewhere.refresh", "schedule": 86400.0}}
        """,
    })
    assert "'nightly'" in found["a/tasks.py"]
