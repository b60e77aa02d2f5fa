# rounds: 1
"""An LLM wrapper class whose run() loops over rows and calls its own method,
which retries on rate limits."""

import time

import anthropic


class Labeller:
    def __init__(self, model):
        self.client = anthropic.Anthropic()
        self.model = model
        self.labels = {}

    def _complete(self, prompt):
        for attempt in range(4):
            try:
                reply = self.client.messages.create(
                    model=self.model,
                    max_tokens=24,
                    messages=[{"role": "user", "content": prompt}],
                )
                return reply.content[0].text
            except anthropic.RateLimitError:
                time.sleep(2**attempt)
        raise RuntimeError("still rate limited")

    def run(self, rows):
        for row in rows:
            text = self._complete(f"Label this ticket: {row}")
            self.labels[row] = len(text.split())
        return self.labels


if __name__ == "__main__":
    print(Labeller("claude-haiku-4-5").run(["refund", "login fails", "slow page"]))
