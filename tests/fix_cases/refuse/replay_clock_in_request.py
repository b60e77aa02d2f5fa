# refuse: the clock or random numbers
"""The request carries the time it was built: a replayed item would ask something else."""

import time

import anthropic

client = anthropic.Anthropic()


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    for doc in ["a memo", "a letter"]:
        print("asking", doc)
        stamp = time.time()
        reply = ask(f"At {stamp}, summarize {doc}")
        print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
