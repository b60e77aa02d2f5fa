"""The call sits in an `if` test: every item makes it, and the branch uses the answer."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["refund request", "server down", "feature idea", "invoice question"]


def main():
    long_answers = []
    for doc in DOCS:
        if client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Is this urgent? {doc}"}],
        ).usage.output_tokens > 14:
            long_answers.append(doc)
        else:
            print("short", doc)
    print(long_answers)


if __name__ == "__main__":
    main()
