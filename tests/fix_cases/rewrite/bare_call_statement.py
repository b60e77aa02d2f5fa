"""Bare expression-statement call whose result is unused, followed by a counter."""

import anthropic

client = anthropic.Anthropic()

EVENTS = [
    "user 12 signed up",
    "user 7 upgraded to pro",
    "user 31 deleted a project",
    "user 12 invited two teammates",
]


def main():
    sent = 0
    for event in EVENTS:
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=15,
            messages=[{"role": "user", "content": f"Classify this event: {event}"}],
        )
        sent += 1
    print("sent", sent)


if __name__ == "__main__":
    main()
