"""Tag yesterday's feedback every night: a scheduled job (django-crontab)."""

import anthropic

CRONJOBS = [("0 3 * * *", "nightly.tag_feedback")]

client = anthropic.Anthropic()


def load_feedback():
    return [{"id": 1, "comment": "Love the new search"}, {"id": 2, "comment": "Export is broken"}]


def tag_feedback():
    for row in load_feedback():
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Tag this feedback: {row['comment']}"}],
        )
        print(row["id"], reply.content[0].text)
