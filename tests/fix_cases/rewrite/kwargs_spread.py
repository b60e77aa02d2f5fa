"""Shared keyword arguments spread with **common into each call."""

import anthropic

client = anthropic.Anthropic()

REVIEWS = [
    "Great battery life, terrible speakers.",
    "Arrived late but works perfectly.",
    "Stopped charging after a week.",
    "Exactly as described, would buy again.",
]


def main():
    common = dict(model="claude-haiku-4-5", max_tokens=24)
    scores = []
    for review in REVIEWS:
        resp = client.messages.create(
            **common,
            messages=[{"role": "user", "content": f"Sentiment of this review: {review}"}],
        )
        scores.append(resp.usage.output_tokens)
    print(scores)
    print(sum(scores))


if __name__ == "__main__":
    main()
