# refuse: bare `except:`
"""A bare except around a wrapper call in the loop would catch the stop record/replay uses."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )
    return reply.content[0].text


def main():
    for doc in ["a memo", "a letter"]:
        try:
            text = ask(f"Summarize {doc}")
        except:  # noqa: E722
            text = ""
        print(len(text))


if __name__ == "__main__":
    main()
