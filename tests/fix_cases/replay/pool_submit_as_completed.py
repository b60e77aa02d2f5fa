# rounds: 1
"""Futures submitted to a thread pool in a dict comprehension, collected
with as_completed into a dict (the order of completion does not matter)."""

from concurrent.futures import ThreadPoolExecutor, as_completed

import anthropic

client = anthropic.Anthropic()


def translate(text, lang):
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=30,
        messages=[{"role": "user", "content": f"Translate to {lang}: {text}"}],
    )
    return reply.content[0].text


def main():
    articles = [{"id": 1, "body": "Reset your password"}, {"id": 2, "body": "Track an order"}]
    translated = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {pool.submit(translate, a["body"], "German"): a["id"] for a in articles}
        for future in as_completed(futures):
            translated[futures[future]] = len(future.result())
    print(sorted(translated.items()))


if __name__ == "__main__":
    main()
