# rounds: 2
"""Each submitted job drafts an answer and then checks it (two dependent
calls); futures are read in order, and a failing job's exception comes back
from its own future."""

from concurrent.futures import ThreadPoolExecutor

import anthropic

client = anthropic.Anthropic()


def ask(prompt, max_tokens=30):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    ).content[0].text


def draft_and_check(index, question):
    if not question:
        raise ValueError(f"question {index} is empty")
    draft = ask(f"Answer: {question}")
    check = ask(f"Is this answer complete? {draft}", max_tokens=8)
    return index, len(draft), len(check)


def main():
    questions = ["How do refunds work?", "", "Can I change my address?"]
    with ThreadPoolExecutor() as executor:
        futures = [executor.submit(draft_and_check, i, q) for i, q in enumerate(questions)]
    for future in futures:
        try:
            print(future.result())
        except ValueError as exc:
            print("skipped:", exc)


if __name__ == "__main__":
    main()
