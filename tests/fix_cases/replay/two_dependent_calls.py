# rounds: 2
"""Generate an answer, then have a second call grade it: two dependent calls
per item, each through a wrapper."""

import anthropic

client = anthropic.Anthropic()


def ask(prompt, max_tokens=40):
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    )
    return reply.content[0].text


def main():
    problems = ["12*12", "7+8", "100-1"]
    correct = 0
    for problem in problems:
        answer = ask(f"Solve {problem}")
        verdict = ask(f"Is this a correct answer to {problem}? {answer}", max_tokens=10)
        if len(verdict.split()) % 2 == 0:
            correct += 1
        print(problem, len(answer), len(verdict))
    print("correct:", correct)


if __name__ == "__main__":
    main()
