"""Framework spellings that say who waits on a call: decorator, registration,
base-class and fan-out tables, and the plain values contexts.py answers with."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ContextKind
from .patterns import matches

INTERACTIVE = "interactive"
SCHEDULED = "scheduled"
WORKER = "worker"
OFFLINE = "offline"
ALREADY_BATCHED = "already-batched"  # a chain terminal only: the call is sent in a batch already
_PRIORITY = {INTERACTIVE: 4, SCHEDULED: 3, WORKER: 2, OFFLINE: 1}

_WEB_PACKAGES = (
    "flask", "quart", "fastapi", "starlette", "sanic", "litestar", "aiohttp", "bottle", "falcon",
    "django", "rest_framework", "ninja", "tornado", "connexion", "robyn", "blacksheep", "emmett",
    "flask_restful", "flask_restx", "flask_smorest", "apiflask",
)
_WEB_VERBS = (
    "route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket",
    "websocket_route", "api_view", "action", "view", "endpoint", "resource", "doc", "expect",
    "login_required", "require_POST", "require_GET", "require_http_methods", "csrf_exempt",
    "permission_classes", "authentication_classes", "marshal_with", "response", "arguments",
)


@dataclass(frozen=True)
class Rule:
    pattern: str
    kind: str
    label: str
    needs_kwarg: str = ""  # the rule applies only when this keyword is given


DECORATOR_RULES: tuple[Rule, ...] = (
    # --- a person waits
    *(Rule(f"{pkg}.*{verb}", INTERACTIVE, "web request handler") for pkg in _WEB_PACKAGES for verb in _WEB_VERBS),
    Rule("django.views.decorators.*", INTERACTIVE, "Django view"),
    Rule("django.contrib.auth.decorators.*", INTERACTIVE, "Django view"),
    Rule("chainlit.*", INTERACTIVE, "Chainlit chat handler"),
    Rule("gradio.*", INTERACTIVE, "Gradio UI handler"),
    Rule("streamlit.*", INTERACTIVE, "Streamlit app"),
    Rule("dash.*callback", INTERACTIVE, "Dash callback"),
    Rule("mesop.*", INTERACTIVE, "Mesop page"),
    Rule("nicegui.*", INTERACTIVE, "NiceGUI page"),
    Rule("panel.*", INTERACTIVE, "Panel app"),
    Rule("slack_bolt.*", INTERACTIVE, "Slack bot handler"),
    Rule("discord.ext.tasks.loop", SCHEDULED, "discord.py task loop"),  # before the bot's handlers below
    Rule("discord.*", INTERACTIVE, "Discord bot handler"),
    Rule("telegram.*", INTERACTIVE, "Telegram bot handler"),
    Rule("aiogram.*", INTERACTIVE, "Telegram bot handler"),
    Rule("telebot.*", INTERACTIVE, "Telegram bot handler"),
    Rule("mcp.*", INTERACTIVE, "MCP tool handler"),
    Rule("fastmcp.*", INTERACTIVE, "MCP tool handler"),
    Rule("socketio.*", INTERACTIVE, "Socket.IO handler"),
    Rule("modal.fastapi_endpoint", INTERACTIVE, "Modal web endpoint"),
    Rule("modal.web_endpoint", INTERACTIVE, "Modal web endpoint"),
    Rule("modal.asgi_app", INTERACTIVE, "Modal web endpoint"),
    Rule("modal.wsgi_app", INTERACTIVE, "Modal web endpoint"),
    Rule("modal.web_server", INTERACTIVE, "Modal web endpoint"),
    Rule("functions_framework.http", INTERACTIVE, "Cloud Function HTTP handler"),
    Rule("firebase_functions.https_fn.*", INTERACTIVE, "Firebase HTTPS function"),
    Rule("azure.functions.*route", INTERACTIVE, "Azure Functions HTTP trigger"),
    # --- scheduled
    Rule("celery.decorators.periodic_task", SCHEDULED, "Celery periodic task"),
    Rule("celery.task.periodic_task", SCHEDULED, "Celery periodic task"),
    Rule("huey.*periodic_task", SCHEDULED, "Huey periodic task"),
    Rule("apscheduler.*scheduled_job", SCHEDULED, "APScheduler job"),
    Rule("flask_apscheduler.*task", SCHEDULED, "APScheduler job"),
    Rule("schedule.repeat", SCHEDULED, "`schedule` job"),
    Rule("airflow.*", SCHEDULED, "Airflow task"),
    Rule("prefect.flow", SCHEDULED, "Prefect flow"),
    Rule("prefect.task", SCHEDULED, "Prefect task"),
    Rule("dagster.*", SCHEDULED, "Dagster op/asset"),
    Rule("modal.*function", SCHEDULED, "Modal scheduled function", needs_kwarg="schedule"),
    Rule("dramatiq.actor", SCHEDULED, "Dramatiq periodic actor", needs_kwarg="periodic"),
    Rule("dramatiq_crontab.*", SCHEDULED, "Dramatiq cron actor"),
    Rule("periodiq.*", SCHEDULED, "Dramatiq periodic actor"),
    Rule("firebase_functions.scheduler_fn.*", SCHEDULED, "Firebase scheduled function"),
    Rule("azure.functions.*timer_trigger", SCHEDULED, "Azure Functions timer trigger"),
    Rule("fastapi_utils.tasks.repeat_every", SCHEDULED, "repeated task"),
    Rule("fastapi_utilities.repeat_*", SCHEDULED, "repeated task"),
    Rule("aiocron.crontab", SCHEDULED, "aiocron job"),
    Rule("rocketry.*task", SCHEDULED, "Rocketry task"),
    # --- background workers
    Rule("celery.*task", WORKER, "Celery task"),
    Rule("celery.shared_task", WORKER, "Celery task"),
    Rule("huey.*task", WORKER, "Huey task"),
    Rule("dramatiq.actor", WORKER, "Dramatiq actor"),
    Rule("rq.*job", WORKER, "RQ job"),
    Rule("temporalio.activity.defn", WORKER, "Temporal activity"),
    Rule("ray.remote", WORKER, "Ray remote task"),
    Rule("firebase_functions.tasks_fn.*", WORKER, "Firebase task queue function"),
    Rule("azure.functions.*queue_trigger", WORKER, "Azure Functions queue trigger"),
    Rule("taskiq.*task", WORKER, "Taskiq task"),
    # --- offline entry points (a person starts them, nobody waits per item)
    Rule("click.*command", OFFLINE, "click command"),
    Rule("typer.*command", OFFLINE, "Typer command"),
    Rule("modal.*local_entrypoint", OFFLINE, "Modal local entrypoint (`modal run`)"),
)

# arq's worker settings list its task functions in a class attribute (no call names them)
ARQ_FUNCTIONS = "arq.worker.WorkerSettings.functions"

# Callables passed to these calls get the call's context. The arg selector is a
# keyword name or a positional index; "*" takes any function argument.
REGISTRATION_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("apscheduler.*add_job", "*", SCHEDULED, "APScheduler job"),
    ("apscheduler.*add_schedule", "*", SCHEDULED, "APScheduler schedule"),
    ("flask_apscheduler.*add_job", "*", SCHEDULED, "APScheduler job"),
    ("schedule.every*.do", "0", SCHEDULED, "`schedule` job"),
    ("airflow.*Operator", "python_callable", SCHEDULED, "Airflow task"),
    ("arq.cron*", "*", SCHEDULED, "arq cron job"),
    ("rq.cron.register", "*", SCHEDULED, "RQ cron job"),
    ("rq_scheduler.*cron", "*", SCHEDULED, "rq-scheduler job"),
    ("rq_scheduler.*schedule", "*", SCHEDULED, "rq-scheduler job"),
    ("*add_periodic_task", "*", SCHEDULED, "Celery periodic task"),
    *((f"telegram.ext.*job_queue.{when}", "0", SCHEDULED, "Telegram JobQueue job")
      for when in ("run_daily", "run_repeating", "run_monthly", "run_once", "run_custom")),
    *((f"telegram.ext.JobQueue*.{when}", "0", SCHEDULED, "Telegram JobQueue job")
      for when in ("run_daily", "run_repeating", "run_monthly", "run_once", "run_custom")),
    ("threading.Thread", "target", WORKER, "background thread"),
    ("threading.Timer", "*", WORKER, "background timer thread"),
    ("multiprocessing.Process", "target", WORKER, "background process"),
    ("multiprocessing.*Process", "target", WORKER, "background process"),
    ("rq.*enqueue*", "*", WORKER, "RQ job"),
    ("arq.worker.func", "0", WORKER, "arq task"),  # `functions = [func(summarize, timeout=60)]`
    (ARQ_FUNCTIONS, "*", WORKER, "arq task"),  # `class WorkerSettings: functions = [summarize]` (index_assign.py)
    ("fastapi.*BackgroundTasks.add_task", "*", WORKER, "FastAPI background task"),
    ("starlette.background.*", "*", WORKER, "Starlette background task"),
    ("flask.*add_url_rule", "*", INTERACTIVE, "Flask view"),
    ("django.urls.path", "*", INTERACTIVE, "Django view"),
    ("django.urls.re_path", "*", INTERACTIVE, "Django view"),
    ("django.conf.urls.url", "*", INTERACTIVE, "Django view"),
    ("starlette.routing.*Route", "*", INTERACTIVE, "Starlette endpoint"),
    ("fastapi.*add_api_route", "*", INTERACTIVE, "FastAPI endpoint"),
    ("fastapi.*add_api_websocket_route", "*", INTERACTIVE, "FastAPI websocket"),
    ("aiohttp.web.*", "*", INTERACTIVE, "aiohttp handler"),
    ("gradio.*", "*", INTERACTIVE, "Gradio UI handler"),
    ("panel.*", "*", INTERACTIVE, "Panel chat callback"),
    ("websockets.*serve", "*", INTERACTIVE, "websocket handler"),
    ("telegram.ext.*Handler", "*", INTERACTIVE, "Telegram bot handler"),
    ("slack_bolt.*", "*", INTERACTIVE, "Slack bot handler"),
    ("streamlit.*", "*", INTERACTIVE, "Streamlit callback"),
    # desktop UIs: a widget's callback runs while a person looks at the window
    ("tkinter.*", "command", INTERACTIVE, "Tkinter callback"),
    ("tkinter.*bind*", "*", INTERACTIVE, "Tkinter event handler"),
    ("customtkinter.*", "command", INTERACTIVE, "CustomTkinter callback"),
    *((f"{qt}.*connect", "*", INTERACTIVE, "Qt signal handler") for qt in ("PyQt5", "PyQt6", "PySide2", "PySide6")),
    ("wx.*Bind", "*", INTERACTIVE, "wxPython event handler"),
    ("kivy.*bind", "*", INTERACTIVE, "Kivy event handler"),
    ("flet.*", "*", INTERACTIVE, "Flet UI handler"),
)

def registrations_of(name: str) -> list[tuple[str, str, str, str]]:
    """The REGISTRATION_RULES whose pattern a call's canonical name matches, in order."""
    return [rule for rule in REGISTRATION_RULES if matches(name, rule[0])]


# Registrations that may serve whoever starts them: a thread a request handler
# starts answers that request when it sends its result back (over SSE, a
# websocket, a pub/sub channel, a chat message) or the handler waits for it;
# started and left ("queued"), it serves nobody, like a queued task. The
# AFTER_RESPONSE ones a web framework runs once the response is sent.
AFTER_RESPONSE = frozenset({"fastapi.*BackgroundTasks.add_task", "starlette.background.*"})
_STARTER_SERVING = frozenset({
    "threading.Thread", "threading.Timer", "multiprocessing.Process", "multiprocessing.*Process",
}) | AFTER_RESPONSE
# Methods that hand a result to a waiting person (see _STARTER_SERVING).
SEND_BACK_METHODS = frozenset({
    "send", "send_text", "send_json", "send_bytes", "emit", "publish", "put", "put_nowait", "write_message",
    "say", "respond", "chat_postMessage", "chat_update", "post_message", "send_message", "reply", "reply_text",
    "edit_message_text", "xadd", "set_result",
})

# Calls that apply a function to every item: the function runs in a loop.
MAP_FANOUT = (
    "concurrent.futures.*Executor.map",
    "concurrent.futures.*.map",
    "multiprocessing.*Pool.map*",
    "multiprocessing.*Pool.imap*",
    "multiprocessing.*Pool.starmap*",
    "multiprocessing.pool.*.map*",
    "multiprocessing.pool.*.imap*",
    "multiprocessing.pool.*.starmap*",
    "tqdm.contrib.concurrent.*",
    "joblib.delayed",
    "invoke.map",
    "invoke.starmap",
    "invoke.map_async",
)
MAP_LOOP = ("builtins.map", "builtins.filter", "itertools.starmap")
# pandas and friends, whose receiver batchlint rarely types: matched by method name.
MAP_METHODS = frozenset({"apply", "progress_apply", "parallel_apply", "applymap", "map", "swifter_apply"})
# Calls that start work concurrently: a fan-out when they run once per item.
FANOUT_WRAPPERS = (
    "asyncio.gather",
    "asyncio.as_completed",
    "asyncio.wait",
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.to_thread",
    "asyncio.*TaskGroup.create_task",
    "asyncio.*run_in_executor",
    "asyncio.*loop*.run_in_executor",
    "concurrent.futures.*.submit",
    "multiprocessing.*.apply_async",
    "anyio.*start_soon",
    "trio.*start_soon",
    "*.create_task",
    "*.run_in_executor",
)

# Classes whose methods serve requests, and classes whose method is a job.
INTERACTIVE_BASES = (
    "django.views.*", "django.views.generic.*", "rest_framework.*", "flask.views.*",
    "tornado.web.*", "tornado.websocket.*", "aiohttp.web.*View", "starlette.endpoints.*",
    "channels.generic.*", "http.server.*RequestHandler", "socketserver.*RequestHandler",
    "discord.*", "ninja.*", "falcon.*",
)
CLASS_JOB_METHODS = (
    ("django.core.management.*BaseCommand", "handle", OFFLINE, "Django management command"),
    ("django.core.management.*Command", "handle", OFFLINE, "Django management command"),
    ("django.core.management.*LabelCommand", "handle_label", OFFLINE, "Django management command"),
    ("celery.*Task", "run", WORKER, "Celery task"),
    ("luigi.*Task", "run", SCHEDULED, "Luigi task"),
    # a folder watcher: the observer's thread runs it for each file that arrives
    *(("watchdog.events.*EventHandler", event, WORKER, "watchdog file-event handler")
      for event in ("on_created", "on_modified", "on_moved", "on_closed", "on_any_event")),
)

# Methods of these classes handle a person's actions in a window or a terminal UI.
UI_BASES = (
    "tkinter.*", "customtkinter.*", "PyQt5.*", "PyQt6.*", "PySide2.*", "PySide6.*", "wx.*", "kivy.*",
    "textual.*", "toga.*",
)

INTERACTIVE_MODULES = frozenset({"streamlit"})


@dataclass(frozen=True, slots=True)
class Context:
    """A function's (or module's) own reason to run, outside its callers."""

    kind: str  # interactive | scheduled | worker | offline
    label: str  # e.g. "Celery task `nightly_digest`"
    where: str  # "path:line"
    schedule: str = ""  # source text of the schedule, when written in code
    registered_in: str = ""  # for a registration: the function (or module) that made it
    serves_starter: bool = False  # a thread/process: it works for whoever started it
    after_response: bool = False  # a web framework's background task: it runs once the response is sent
    calls_handler: bool = False  # a declared scheduler calls this web handler: it wins over the handler's decorator


@dataclass(frozen=True, slots=True)  # slots (as Frame, Chain, Verdict): every verdict is held until the findings are made
class FrameFacts:
    repetition: ContextKind | None
    repetition_label: str
    repetition_where: str
    interactive: str  # reason, or ""
    not_batchable: str  # reason, or ""
    main_guard: bool
    loops: tuple[tuple[str, int], ...] = ()  # every repetition in this frame: (label, items per run or 0)
    batched: str = ""  # the site runs inside a batching block (`async with batchify()`): reason
    # not_batchable for as long as an object lives (learning.py): "module" (no loop above
    # is a batch), "self" (no loop in the methods of the object holding it)
    lasting: str = ""


def _where(path: str, line: int) -> str:
    return f"{path}:{line}"
