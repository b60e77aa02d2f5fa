"""A list comprehension over a module-level wrapper, with a filter."""

import anthropic

client = anthropic.Anthropic()

TWEETS = ["good day", "", "bad service", "nice try", "meh"]


def get_completion(prompt, max_tokens=24):
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    )
    return message.content[0].text


def main():
    outputs = [get_completion(f"Sentiment of: {t}") for t in TWEETS if t]
    print([len(o.split()) for o in outputs], [t[:3] for t in TWEETS])  # `t` of another comprehension


if __name__ == "__main__":
    main()
