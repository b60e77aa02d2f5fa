# refuse: alarm
"""A per-item alarm set before the call would go off while the batch runs."""

import signal

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    for doc in ["a memo", "a letter"]:
        signal.alarm(30)
        reply = ask(f"Summarize {doc}")
        signal.alarm(0)
        print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
