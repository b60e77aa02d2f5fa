"""List comprehension whose element is the call itself."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    "Meeting moved to Thursday at 10.",
    "Budget approved for the new laptops.",
    "Office closed on the public holiday.",
    "New hire starts on the first of the month.",
]


def main():
    replies = [
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Turn into a calendar title: {d}"}],
        )
        for d in DOCS
    ]
    print([len(r.content[0].text.split()) for r in replies])
    print([r.stop_reason for r in replies])


if __name__ == "__main__":
    main()
