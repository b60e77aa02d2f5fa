"""Summarize the week's incidents for the Monday report."""

import anthropic

client = anthropic.Anthropic()

PROMPT = (
    "Summarize this incident for the weekly operations report in three bullet points: "
    "what broke, who was affected, and what was changed so it does not happen again."
)


def incidents():
    return [f"Incident {i}" for i in range(25)]


def weekly_digest():
    summaries = []
    for incident in incidents():  # batchlint: volume=25/run
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=600,
            messages=[{"role": "user", "content": f"{PROMPT}\n\nIncident: {incident}"}],
        )
        summaries.append(reply.content[0].text)
    return summaries


if __name__ == "__main__":
    import schedule

    schedule.every().monday.do(weekly_digest)
