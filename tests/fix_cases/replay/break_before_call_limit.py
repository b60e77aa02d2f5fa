# rounds: 2
"""A limit checked before the call ends the loop early (`break` on a condition
no response decides); each kept item drafts, then shortens its draft."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt, max_tokens=40):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    ).content[0].text


def main():
    limit = 4
    notes = ["ship date moved", "", "new pricing page", "office closed friday", "hiring two engineers"]
    written = 0
    for index, note in enumerate(notes):
        if index >= limit:
            print("limit reached at", index)
            break
        if not note:
            continue
        draft = ask(f"Write a one-line update: {note}")
        short = ask(f"Shorten: {draft}", max_tokens=12)
        written += 1
        print(index, len(draft), len(short))
    print("written", written)


if __name__ == "__main__":
    main()
