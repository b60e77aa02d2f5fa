# rounds: 1
"""A comprehension that unpacks pairs into a grading wrapper that handles API errors."""

import anthropic

client = anthropic.Anthropic()


def judge(question, answer):
    try:
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=12,
            messages=[{"role": "user", "content": f"Q: {question}\nA: {answer}\nCorrect?"}],
        )
    except anthropic.APIStatusError as exc:
        return f"error {exc.status_code}"
    return reply.usage.output_tokens


def main():
    pairs = [("2+2", "4"), ("3+3", "7"), ("capital of Peru", "Lima")]
    scores = [judge(q, a) for q, a in pairs]
    print(scores)


if __name__ == "__main__":
    main()
