# refuse: `break`
"""The loop stops at the first reply that says enough."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    for doc in ["a memo", "a letter", "a note"]:
        reply = ask(f"Summarize {doc}")
        if reply.stop_reason == "end_turn":
            break
    print("done")


if __name__ == "__main__":
    main()
