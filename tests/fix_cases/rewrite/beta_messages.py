"""client.beta.messages.create in a loop, without betas=."""

import anthropic

client = anthropic.Anthropic()

SNIPPETS = [
    "def add(a, b): return a - b",
    "for i in range(10): print(i",
    "import os; os.remove('/')",
]


def main():
    for snippet in SNIPPETS:
        review = client.beta.messages.create(
            model="claude-haiku-4-5",
            max_tokens=35,
            messages=[{"role": "user", "content": f"Review this code: {snippet}"}],
        )
        print(snippet[:12], review.stop_reason, len(review.content[0].text.split()))


if __name__ == "__main__":
    main()
