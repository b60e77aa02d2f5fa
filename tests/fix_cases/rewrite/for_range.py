"""for n in range(k): an evaluation-style loop whose prompt is built from the index."""

import anthropic

client = anthropic.Anthropic()

CASES = 5


def main():
    lengths = []
    for n in range(CASES):
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=16,
            messages=[{"role": "user", "content": f"What is {n} times {n + 3}? Show your work."}],
        )
        lengths.append(resp.usage.output_tokens)
    print(lengths)


if __name__ == "__main__":
    main()
