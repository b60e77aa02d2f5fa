# refuse: `break` after the call
"""Stops once the running total of output tokens passes a budget."""

import anthropic

client = anthropic.Anthropic()

BUDGET = 40

DOCS = ["First chapter notes", "Second chapter notes", "Third chapter notes", "Fourth chapter notes"]


def main():
    spent = 0
    summaries = []
    for doc in DOCS:
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        summaries.append(resp.content[0].text)
        spent += resp.usage.output_tokens
        if spent > BUDGET:
            break
    print(len(summaries), spent)


if __name__ == "__main__":
    main()
