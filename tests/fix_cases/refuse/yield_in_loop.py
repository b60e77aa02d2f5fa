# refuse: yields: its consumer takes items
"""A generator yields each reply as it arrives; the consumer controls the pace."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Quarterly report draft", "Press release draft", "Blog post draft"]


def summaries(docs):
    for doc in docs:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        yield doc, resp.content[0].text


def main():
    for doc, text in summaries(DOCS):
        print(doc, len(text.split()))


if __name__ == "__main__":
    main()
