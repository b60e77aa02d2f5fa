"""A shared wrapper module: the Claude call lives here, the loops elsewhere."""

import anthropic

client = anthropic.Anthropic()
MODEL = "claude-haiku-4-5"


def summarize(text, *, words=20):
    """Summarize one text; used by the web app too."""
    message = client.messages.create(
        model=MODEL,
        max_tokens=words * 2,
        system=f"Summarize in at most {words} words.",
        messages=[{"role": "user", "content": text}],
    )
    return message.content[0].text.strip()


async def aclassify(aclient, text):
    return await aclient.messages.create(model=MODEL, max_tokens=5, messages=[{"role": "user", "content": text}])
