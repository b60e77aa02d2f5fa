# refuse: the clock or random numbers
"""Each request picks a random few-shot example."""

import random

import anthropic

client = anthropic.Anthropic()
EXAMPLES = ["cat -> animal", "rose -> plant", "iron -> metal"]


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    for word in ["dog", "oak"]:
        print("asking", word)
        reply = ask(f"{random.choice(EXAMPLES)}\n{word} ->")
        print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
