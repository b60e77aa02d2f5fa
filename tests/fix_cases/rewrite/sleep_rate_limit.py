"""A time.sleep rate-limit line before each call."""

import time

import anthropic

client = anthropic.Anthropic()

DELAY_SECONDS = 0

EMAILS = [
    "Hi, I'd like to return the jacket I bought last week.",
    "Can you confirm my appointment for Monday?",
    "Your newsletter link is broken.",
]


def main():
    results = []
    for email in EMAILS:
        time.sleep(DELAY_SECONDS)
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Draft a reply to: {email}"}],
        )
        results.append(len(resp.content[0].text.split()))
    print(results)


if __name__ == "__main__":
    main()
