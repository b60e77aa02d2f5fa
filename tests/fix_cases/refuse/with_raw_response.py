# refuse: with_raw_response
"""client.messages.with_raw_response.create(...) reads HTTP headers that a batch result does not have."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Ticket 1", "Ticket 2", "Ticket 3"]


def main():
    for doc in DOCS:
        raw = client.messages.with_raw_response.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Label {doc}"}],
        )
        message = raw.parse()
        print(doc, raw.headers.get("content-type"), message.usage.output_tokens)


if __name__ == "__main__":
    main()
