# rounds: 1
"""The helper that makes the call has a retry decorator the rewrite would bypass."""

import functools

import anthropic

client = anthropic.Anthropic()

DOCS = ["Invoice query", "Delivery delay", "Login problem"]


def retry(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        for attempt in range(3):
            try:
                return function(*args, **kwargs)
            except anthropic.APIError:
                if attempt == 2:
                    raise
    return wrapper


@retry
def summarize(doc):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=25,
        messages=[{"role": "user", "content": f"Summarize: {doc}"}],
    )


def main():
    counts = []
    for d in DOCS:
        counts.append(summarize(d).usage.output_tokens)
    print(counts)


if __name__ == "__main__":
    main()
