"""extra_body= passes temperature through to the request body."""

import anthropic

client = anthropic.Anthropic()

TERMS = ["idempotency", "backpressure", "sharding", "circuit breaker", "eventual consistency"]


def main():
    definitions = {}
    for term in TERMS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=40,
            messages=[{"role": "user", "content": f"Define {term} for a junior engineer."}],
            extra_body={"temperature": 0.0},
        )
        definitions[term] = resp.content[0].text
    for term, text in definitions.items():
        print(term, len(text.split()))


if __name__ == "__main__":
    main()
