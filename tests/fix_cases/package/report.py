"""A second loop over the same wrapper, reached through the module."""

import llm

QUESTIONS = ["What changed in March?", "Which plan is cheapest?"]

if __name__ == "__main__":
    for question in QUESTIONS:
        print(question, len(llm.summarize(question).split()))
