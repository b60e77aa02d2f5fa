# refuse: is read before the call and changed after it
"""A budget counted after each call decides, before the next call, whether to go on."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    written = 0
    for note in ["ship date moved", "new pricing page", "office closed friday"]:
        print("note", note)
        if written >= 2:
            break
        reply = ask(f"Write a one-line update: {note}")
        written += 1
        print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
