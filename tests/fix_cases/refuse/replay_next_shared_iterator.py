# refuse: takes the next value of an iterator the items share
"""Each item takes the next bot persona from a shared iterator before asking."""

import itertools

import anthropic

client = anthropic.Anthropic()
PERSONAS = itertools.cycle(["a critic", "a fan"])


def ask(prompt):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        messages=[{"role": "user", "content": prompt}],
    )


def main():
    for topic in ["the match", "the transfer"]:
        print("commenting on", topic)
        persona = next(PERSONAS)
        reply = ask(f"As {persona}, comment on {topic}")
        print(reply.usage.output_tokens)


if __name__ == "__main__":
    main()
