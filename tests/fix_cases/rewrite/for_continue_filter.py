"""A continue filter skips blank documents before the call."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    "The app crashes when I open settings.",
    "   ",
    "Please cancel my subscription at the end of the month.",
    "",
    "Can I get an invoice with my VAT number on it?",
]


def main():
    summaries = []
    for doc in DOCS:
        if not doc.strip():
            continue
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=35,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        summaries.append(resp.content[0].text)
    print([len(s.split()) for s in summaries])
    print("kept", len(summaries), "of", len(DOCS))


if __name__ == "__main__":
    main()
