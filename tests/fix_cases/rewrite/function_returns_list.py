"""A helper function loops, collects replies and returns them; main prints them."""

import anthropic

client = anthropic.Anthropic()

ARTICLES = [
    "Scientists map the migration routes of Arctic terns.",
    "A new library opens in the old train station.",
    "The city marathon adds a wheelchair division.",
    "Local startup releases an open-source weather model.",
]


def summarize_all(articles):
    summaries = []
    for article in articles:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize for a newsletter: {article}"}],
        )
        summaries.append(reply.content[0].text)
    return summaries


def main():
    summaries = summarize_all(ARTICLES)
    for article, summary in zip(ARTICLES, summaries):
        print(article.split()[0], len(summary.split()))


if __name__ == "__main__":
    main()
