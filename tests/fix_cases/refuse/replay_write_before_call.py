# refuse: replaying the item would run it again
"""Each item appends to an audit file before its request: a replayed item would write twice."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    with open("audit.log", "a") as audit:
        for doc in ["a memo", "a letter"]:
            audit.write(f"asking about {doc}\n")
            reply = ask(f"Summarize {doc}")
            print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
