"""The loop is in a method of a small class that returns the collected results."""

import anthropic

client = anthropic.Anthropic()


class Tagger:
    def __init__(self, model):
        self.model = model

    def tag_all(self, texts):
        tags = []
        for text in texts:
            reply = client.messages.create(
                model=self.model,
                max_tokens=18,
                messages=[{"role": "user", "content": f"Give three tags for: {text}"}],
            )
            tags.append(reply.content[0].text)
        return tags


def main():
    texts = ["A recipe for sourdough bread", "Notes from a chess tournament", "A guide to repotting cacti"]
    for text, tags in zip(texts, Tagger("claude-haiku-4-5").tag_all(texts)):
        print(text, len(tags.split()))


if __name__ == "__main__":
    main()
