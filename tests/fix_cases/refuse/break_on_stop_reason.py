# refuse: `break` after the call
"""Stops at the first reply that was cut off by max_tokens."""

import anthropic

client = anthropic.Anthropic()

CHAPTERS = ["Chapter one", "Chapter two", "Chapter three", "Chapter four"]


def main():
    lengths = []
    for chapter in CHAPTERS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize {chapter}"}],
        )
        lengths.append(resp.usage.output_tokens)
        if resp.stop_reason == "max_tokens":
            break
    print(lengths)


if __name__ == "__main__":
    main()
