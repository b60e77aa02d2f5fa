"""A nightly job registered in django-crontab's CRONJOBS that loops over rows."""

import anthropic

CRONJOBS = [("0 3 * * *", "cron_job.nightly_job")]

client = anthropic.Anthropic()

ROWS = [
    {"id": 1, "comment": "Love the new search, much faster."},
    {"id": 2, "comment": "The mobile app logs me out every day."},
    {"id": 3, "comment": "Could you add a yearly billing option?"},
]


def nightly_job():
    tagged = []
    for row in ROWS:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Tag this feedback: {row['comment']}"}],
        )
        tagged.append((row["id"], len(reply.content[0].text.split())))
    return tagged


def main():
    for row_id, words in nightly_job():
        print(row_id, words)


if __name__ == "__main__":
    main()
