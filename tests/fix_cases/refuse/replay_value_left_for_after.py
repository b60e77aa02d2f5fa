# refuse: is assigned in the loop and used outside it
"""The loop keeps the last reply in a name the code after it reads."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    last = None
    for doc in ["a memo", "a letter"]:
        print("asking", doc)
        last = ask(f"Summarize {doc}")
    print(last.usage.output_tokens)


if __name__ == "__main__":
    main()
