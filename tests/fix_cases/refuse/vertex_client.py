# refuse: has no Message Batches API
"""An AnthropicVertex client has no Message Batches API."""

import anthropic

client = anthropic.AnthropicVertex(region="us-east5", project_id="example-project")

QUESTIONS = ["What is churn?", "What is ARPU?", "What is LTV?"]


def main():
    answers = [
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": q}],
        ).content[0].text
        for q in QUESTIONS
    ]
    print([len(a.split()) for a in answers])


if __name__ == "__main__":
    main()
