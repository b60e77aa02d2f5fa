# rounds: 1
"""The call runs inside two nested for loops."""

import anthropic

client = anthropic.Anthropic()

PRODUCTS = ["kettle", "toaster"]
LANGUAGES = ["English", "Spanish", "German"]


def main():
    for product in PRODUCTS:
        for language in LANGUAGES:
            resp = client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=30,
                messages=[{"role": "user", "content": f"Describe a {product} in {language}."}],
            )
            print(product, language, resp.usage.output_tokens)


if __name__ == "__main__":
    main()
