"""Jobs a bot or a web app runs on a timer (discord.py task loops, Telegram's
JobQueue, fastapi-utils' repeat_every, aiocron) are scheduled, while the same
app's handlers, which answer a person, stay interactive."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

ASK = """
import anthropic

client = anthropic.Anthropic()


def ask(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": text}]).content[0].text
"""

DISCORD = ASK + """
import discord
from discord.ext import commands, tasks

bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())


@tasks.loop(hours=24)
async def daily_digest():
    for channel in bot.get_all_channels():
        print(ask(channel.name))  # expect: BL103


@bot.command()
async def summarize(ctx, *urls):
    for url in urls:
        await ctx.send(ask(url))
"""

TELEGRAM = ASK + """
import datetime

from telegram.ext import Application, CommandHandler


async def morning(context):
    for chat_id in (1, 2):
        await context.bot.send_message(chat_id, ask("news for %d" % chat_id))  # expect: BL103


async def start(update, context):
    for part in update.message.text.split():
        await update.message.reply_text(ask(part))


app = Application.builder().token("x").build()
app.job_queue.run_daily(morning, time=datetime.time(9))
app.add_handler(CommandHandler("start", start))
app.run_polling()
"""

REPEAT_EVERY = ASK + """
from fastapi import FastAPI
from fastapi_utils.tasks import repeat_every

app = FastAPI()


@app.on_event("startup")
@repeat_every(seconds=3600)
def refresh_summaries():
    for doc in ["a", "b"]:
        ask(doc)  # expect: BL103


@app.post("/summaries")
def summaries(docs: list[str]):
    return [ask(doc) for doc in docs]
"""

AIOCRON = ASK + """
import aiocron


@aiocron.crontab("0 9 * * *")
async def nightly():
    for doc in ["a", "b"]:
        ask(doc)  # expect: BL103
"""


@pytest.mark.parametrize("source", [
    pytest.param(DISCORD, id="discord-task-loop-beside-a-command"),
    pytest.param(TELEGRAM, id="telegram-job-queue-beside-a-command-handler"),
    pytest.param(REPEAT_EVERY, id="repeat-every-beside-a-route"),
    pytest.param(AIOCRON, id="aiocron"),
])
def test_a_timer_job_is_scheduled_and_its_handlers_stay_interactive(tmp_path, source):
    files = {"app.py": source}
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("source, job", [
    pytest.param(DISCORD.replace("@tasks.loop(hours=24)", "@bot.command()"), "daily_digest", id="neg-a-command-not-a-task-loop"),
    pytest.param(TELEGRAM.replace("app.job_queue.run_daily(morning, time=datetime.time(9))",
                                  'app.add_handler(CommandHandler("morning", morning))'),
                 "morning", id="neg-a-handler-not-a-job"),
])
def test_the_same_function_as_a_handler_is_not_reported(tmp_path, source, job):
    result = check(tmp_path, {"app.py": source})
    assert not result.findings, [f.message for f in result.findings]
    assert job in source


def test_the_schedule_is_named(tmp_path):
    result = check(tmp_path, {"app.py": textwrap.dedent(DISCORD)})
    (finding,) = result.findings
    assert "discord.py task loop `daily_digest`" in finding.message
