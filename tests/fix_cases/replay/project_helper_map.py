# rounds: 1
"""A project helper that maps a function over rows with a thread pool (the
shape of eval harnesses' `map_with_progress`)."""

from concurrent.futures import ThreadPoolExecutor

import anthropic

client = anthropic.Anthropic()


def map_with_progress(fn, rows, num_threads=4):
    with ThreadPoolExecutor(max_workers=num_threads) as pool:
        return list(pool.map(fn, rows))


def grade(row):
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=16,
        messages=[{"role": "user", "content": f"Grade: {row}"}],
    )
    return row, reply.usage.output_tokens


def main():
    rows = ["essay one", "essay two", "essay three"]
    results = map_with_progress(grade, rows, num_threads=2)
    print(results)


if __name__ == "__main__":
    main()
