"""Tag a backlog of knowledge-base articles; run from cron every hour."""

import anthropic

CRONJOBS = [("0 * * * *", "doc_enrichment.enrich")]

client = anthropic.Anthropic()


def articles():
    body = "Customers on the legacy plan can export their data from the settings page. " * 12
    return [f"Article {i}. {body}" for i in range(10)]


def enrich():
    tags = []
    for article in articles()[:10]:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=120,
            messages=[{"role": "user", "content": article}],
        )
        tags.append(reply.content[0].text)
    return tags
