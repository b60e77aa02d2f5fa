"""Script style: the loop sits directly in the if __name__ == "__main__" block."""

import anthropic

client = anthropic.Anthropic()

QUESTIONS = [
    "What is a message batch?",
    "Why cache a system prompt?",
    "When should a request be streamed?",
]


def main():
    print("asking", len(QUESTIONS), "questions")


if __name__ == "__main__":
    main()
    for question in QUESTIONS:
        answer = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": question}],
        )
        print(question, answer.usage.output_tokens)
