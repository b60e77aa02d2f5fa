"""Tag the feedback rows every night (django-crontab); the rows come from a file."""

import json

import anthropic

CRONJOBS = [("0 3 * * *", "feedback_job.tag_feedback")]

client = anthropic.Anthropic()


def load_feedback():
    with open("feedback.json", encoding="utf-8") as handle:
        return json.load(handle)


def tag_feedback():
    for row in load_feedback():
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Tag this feedback: {row['comment']}"}],
        )
        print(row["id"], len(reply.content[0].text.split()), reply.usage.output_tokens)


if __name__ == "__main__":
    tag_feedback()
