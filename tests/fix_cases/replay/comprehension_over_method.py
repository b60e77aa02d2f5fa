# rounds: 1
"""A list comprehension over a method of the class that makes the call."""

import anthropic


class Translator:
    def __init__(self):
        self.client = anthropic.Anthropic()

    def translate(self, text):
        reply = self.client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=32,
            messages=[{"role": "user", "content": f"Translate to French: {text}"}],
        )
        return reply.content[0].text

    def translate_all(self, texts):
        return [self.translate(t) for t in texts if t]


def main():
    translator = Translator()
    out = translator.translate_all(["good morning", "", "thank you", "see you soon"])
    print([len(t) for t in out])


if __name__ == "__main__":
    main()
