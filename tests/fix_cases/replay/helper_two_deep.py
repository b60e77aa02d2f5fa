# rounds: 1
"""The loop reaches the Claude call through two functions."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Invoice query", "Delivery delay", "Login problem"]


def complete(prompt):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=25, messages=[{"role": "user", "content": prompt}])


def summarize(doc):
    return complete(f"Summarize: {doc}").usage.output_tokens


def main():
    for d in DOCS:
        print(summarize(d))


if __name__ == "__main__":
    main()
