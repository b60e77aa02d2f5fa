"""Plain for loop over documents, appending each reply's text to a list."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    "The invoice total was higher than the quoted price.",
    "My parcel arrived with a cracked screen.",
    "How do I change the email address on my account?",
    "The export button does nothing since the last update.",
]


def main():
    results = []
    for doc in DOCS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=40,
            messages=[{"role": "user", "content": f"Summarize in one line: {doc}"}],
        )
        results.append(resp.content[0].text)
    for doc, text in zip(DOCS, results):
        print(f"{doc[:20]!r}: {len(text.split())} words")
    print("total", len(results))


if __name__ == "__main__":
    main()
