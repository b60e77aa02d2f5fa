# rounds: 1
"""A module-level wrapper with its own retry loop, chosen by a setting."""

import time

import anthropic

client = anthropic.Anthropic()
BACKEND = "claude"


def call_claude(prompt, max_tokens=30):
    while True:
        try:
            message = client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=max_tokens,
                messages=[{"role": "user", "content": prompt}],
            )
            return message.content[0].text
        except (anthropic.RateLimitError, anthropic.APIConnectionError):
            time.sleep(1)


def call_echo(prompt, max_tokens=30):
    return prompt[:max_tokens]


if BACKEND == "claude":
    complete = call_claude
else:
    complete = call_echo


def main():
    questions = ["What is 2+2?", "Name a prime.", "Capital of France?", "What is 2+2?"]
    answers = []
    for question in questions:
        answers.append(complete(f"Answer briefly: {question}"))
    print([len(a) for a in answers])


if __name__ == "__main__":
    main()
