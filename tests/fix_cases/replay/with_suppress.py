# rounds: 1
"""contextlib.suppress around the call swallows per-item API errors."""

import contextlib

import anthropic

client = anthropic.Anthropic()

DOCS = ["Contract A", "Contract B", "Contract C"]


def main():
    done = 0
    for doc in DOCS:
        with contextlib.suppress(anthropic.RateLimitError):
            client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=30,
                messages=[{"role": "user", "content": f"List the parties in {doc}"}],
            )
            done += 1
    print("done", done)


if __name__ == "__main__":
    main()
