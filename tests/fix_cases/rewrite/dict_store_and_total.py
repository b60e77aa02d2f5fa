"""Results stored in a dict keyed by item id, plus a running total of output tokens."""

import anthropic

client = anthropic.Anthropic()

ITEMS = [
    {"id": "t-10", "text": "My card was declined but the money left my account."},
    {"id": "t-11", "text": "Where can I download the desktop app?"},
    {"id": "t-12", "text": "The dashboard shows yesterday's numbers only."},
    {"id": "t-13", "text": "I need to update the billing address."},
]


def main():
    labels = {}
    total = 0
    for item in ITEMS:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Label: {item['text']}"}],
        )
        labels[item["id"]] = reply.content[0].text
        total += reply.usage.output_tokens
    for key in sorted(labels):
        print(key, len(labels[key].split()))
    print("total", total)


if __name__ == "__main__":
    main()
