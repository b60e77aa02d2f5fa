"""Label every ticket opened yesterday; django-crontab runs it at 03:00."""

import anthropic

CRONJOBS = [("0 3 * * *", "nightly_labels.label_tickets")]

SYSTEM = (
    "You are the triage assistant of a support team. Read one ticket and answer with "
    "exactly one label from this list: billing, shipping, returns, account, bug, "
    "feature-request, other. Then give a one-sentence reason a support lead can skim. "
    "Prefer billing when money is mentioned, bug when something stopped working after "
    "a change, and other only when nothing else fits."
)

client = anthropic.Anthropic()


def label_tickets():
    labels = []
    for n in range(40):
        reply = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=300,
            system=SYSTEM,
            messages=[{
                "role": "user",
                "content": f"Ticket #{n}: after the upgrade to the annual plan my invoice total "
                           "is higher than the price on the website, please refund the difference.",
            }],
        )
        labels.append(reply.content[0].text)
    return labels
