# rounds: 1
"""A sampler object mapped over a dataset by a thread pool."""

from concurrent.futures import ThreadPoolExecutor

import anthropic


class ClaudeSampler:
    def __init__(self, model, max_tokens=40):
        self.client = anthropic.Anthropic()
        self.model = model
        self.max_tokens = max_tokens

    def __call__(self, prompt):
        response = self.client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            messages=[{"role": "user", "content": prompt}],
        )
        return response.content[0].text


SAMPLER = ClaudeSampler("claude-haiku-4-5")


def score(example):
    answer = SAMPLER(f"Q: {example['q']}\nA:")
    return {"id": example["id"], "words": len(answer.split())}


def main():
    examples = [{"id": i, "q": f"question number {i}"} for i in range(6)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(score, examples))
    print(results)


if __name__ == "__main__":
    main()
