# refuse: `except BaseException`
"""The wrapper that makes the call catches BaseException: record/replay's stop would be swallowed."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    try:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": prompt}],
        )
        return reply.content[0].text
    except BaseException:
        return ""


def main():
    for doc in ["a memo", "a letter"]:
        print(len(ask(f"Summarize {doc}")))


if __name__ == "__main__":
    main()
