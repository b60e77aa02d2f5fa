"""Calendar titles for a list of notes: a comprehension."""

import anthropic

client = anthropic.Anthropic()

NOTES = ["call the bank at 3", "dentist friday", "renew passport"]


def main():
    replies = [
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Turn into a calendar title: {note}"}],
        )
        for note in NOTES
    ]
    print([r.content[0].text for r in replies])


if __name__ == "__main__":
    main()
