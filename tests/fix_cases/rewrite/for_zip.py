"""for a, b in zip(questions, contexts) with both used in the prompt."""

import anthropic

client = anthropic.Anthropic()

QUESTIONS = [
    "When was the order shipped?",
    "Which plan is the customer on?",
    "What is the refund amount?",
]
CONTEXTS = [
    "Order 551 left the warehouse on Tuesday.",
    "Account 88 upgraded to the annual plan in March.",
    "The customer paid 40 EUR and was promised 15 EUR back.",
]


def main():
    answers = []
    for question, context in zip(QUESTIONS, CONTEXTS):
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=25,
            messages=[{"role": "user", "content": f"Context: {context}\nQuestion: {question}"}],
        )
        answers.append((question, resp.usage.output_tokens))
    for question, tokens in answers:
        print(question, tokens)


if __name__ == "__main__":
    main()
