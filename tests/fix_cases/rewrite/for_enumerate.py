"""for i, doc in enumerate(docs) printing the index and word count after each call."""

import anthropic

client = anthropic.Anthropic()

DOCS = [
    "Refund request for order 1182.",
    "Password reset email never arrives.",
    "Feature idea: dark mode for the dashboard.",
    "Shipping label printed with the wrong address.",
    "Charged twice for the same subscription.",
]


def main():
    for i, doc in enumerate(DOCS):
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Label this ticket: {doc}"}],
        )
        words = len(resp.content[0].text.split())
        print(i, words, resp.stop_reason)


if __name__ == "__main__":
    main()
