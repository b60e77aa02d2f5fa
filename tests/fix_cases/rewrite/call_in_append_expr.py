"""The call is nested inside an expression: out.append(client.messages.create(...).content[0].text)."""

import anthropic

client = anthropic.Anthropic()

HEADLINES = [
    "Local bakery wins national award",
    "City council approves new bike lanes",
    "Heatwave expected to last until Sunday",
    "Museum reopens after two-year renovation",
]


def main():
    out = []
    for headline in HEADLINES:
        out.append(client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Write a one-line teaser for: {headline}"}],
        ).content[0].text)
    for headline, teaser in zip(HEADLINES, out):
        print(headline, "->", len(teaser.split()))


if __name__ == "__main__":
    main()
