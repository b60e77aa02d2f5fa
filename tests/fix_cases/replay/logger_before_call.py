# rounds: 1
"""logger.info() before the call: interleaved log lines would change order after a rewrite."""

import logging

import anthropic

logger = logging.getLogger(__name__)

client = anthropic.Anthropic()

ROWS = [{"id": 1, "text": "Great service"}, {"id": 2, "text": "Slow refund"}, {"id": 3, "text": "Broken link"}]


def main():
    logging.basicConfig(level=logging.INFO)
    counts = {}
    for row in ROWS:
        logger.info("labelling row %s", row["id"])
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Sentiment: {row['text']}"}],
        )
        counts[row["id"]] = reply.usage.output_tokens
    print(counts)


if __name__ == "__main__":
    main()
