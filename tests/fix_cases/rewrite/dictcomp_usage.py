"""Dict comprehension mapping each document to the reply's output token count."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    "Rollout of version 2.4 paused after error spike.",
    "Database migration finished without downtime.",
    "On-call handover notes for the weekend.",
]


def main():
    tokens = {
        d: client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=50,
            messages=[{"role": "user", "content": f"Write a status update about: {d}"}],
        ).usage.output_tokens
        for d in DOCS
    }
    for d, n in tokens.items():
        print(d[:25], n)


if __name__ == "__main__":
    main()
