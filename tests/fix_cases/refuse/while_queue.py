# refuse: `while` loop
"""while queue: pop an item and send it."""

import anthropic

client = anthropic.Anthropic()


def main():
    queue = ["ticket 3", "ticket 2", "ticket 1"]
    done = []
    while queue:
        item = queue.pop()
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Triage {item}"}],
        )
        done.append((item, resp.usage.output_tokens))
    print(done)


if __name__ == "__main__":
    main()
