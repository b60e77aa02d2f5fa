"""Loops whose shape decides whether a call is repeated work or a conversation."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

HEAD = """
    import anthropic

    client = anthropic.Anthropic()

"""
MAIN = """

    if __name__ == "__main__":
        main(["a"], [{"q": "x"}])
"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    response = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": subject + each["q"]}])  # expect: BL105
                    each["output"] = response.content[0].text
    """, id="result-stored-into-the-inner-item"),
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    if each:
                        each["output"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": each["q"]}])  # expect: BL105
    """, id="result-stored-into-the-item-under-an-if"),
    pytest.param("""
        def main(subjects, rows):
            previous = rows
            for subject in subjects:
                for each in previous:
                    prompt = each["q"]
                response = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
                previous = [{"q": response.content[0].text}]
    """, id="inner-loop-over-the-previous-answers-is-a-dependence"),
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    last = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": each["q"] + str(rows[-1])}])
                    rows.append(last)
    """, id="answers-appended-to-the-items-iterated-is-a-dependence"),
])
def test_nested_loop_target_rebinding(tmp_path, body):
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files)


CHAT_HEAD = """
    import asyncio

    import anthropic
    {imports}

    client = anthropic.Anthropic()

"""


@pytest.mark.parametrize("imports, body", [
    pytest.param("from prompt_toolkit import PromptSession", """
        def main():
            session = PromptSession()
            while True:
                text = session.prompt("> ")
                print(client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}]))
    """, id="prompt-session-prompt"),
    pytest.param("from prompt_toolkit.shortcuts import PromptSession", """
        class Chat:
            def __init__(self):
                self.session = PromptSession()

            async def loop(self):
                while True:
                    text = await self.session.prompt_async("> ")
                    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])
                    self.show(reply)

            def show(self, reply):
                pass

        def main():
            asyncio.run(Chat().loop())
    """, id="prompt-async-on-an-attribute"),
    pytest.param("from prompt_toolkit import prompt", """
        def main():
            for _ in range(100):
                text = prompt("> ")
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])
    """, id="prompt-function"),
    pytest.param("import aioconsole", """
        async def chat():
            while True:
                text = await aioconsole.ainput("> ")
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])

        def main():
            asyncio.run(chat())
    """, id="aioconsole-ainput"),
    pytest.param("from templates import Template", """
        def main():
            template = Template()
            for row in ["a", "b"]:
                text = template.prompt(row)
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])  # expect: BL105
    """, id="a-prompt-method-without-prompt-toolkit-is-not-input"),
])
def test_chat_cli_input_sources_mark_an_interactive_loop(tmp_path, imports, body):
    files = {"cli.py": "".join(textwrap.dedent(part) for part in (CHAT_HEAD.format(imports=imports), body,
                                                                  '\n\nif __name__ == "__main__":\n    main()\n'))}
    assert run(tmp_path, files) == expected(files)


STREAM_TEXT = """
    def stream_text(prompt):
        with client.messages.stream(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}]) as s:
            for text in s.text_stream:
                yield text

"""


@pytest.mark.parametrize("body", [
    pytest.param(STREAM_TEXT + """
        def main(subjects, rows):
            return ["".join(stream_text(row["q"])) for row in rows]  # expect: BL101
    """, id="generator-stream-joined-in-code"),
    pytest.param(STREAM_TEXT + """
        def main(subjects, rows):
            out = []
            for row in rows:
                text = ""
                for chunk in stream_text(row["q"]):  # expect: BL101
                    text += chunk
                out.append(text)
            return out
    """, id="generator-stream-accumulated-in-a-loop"),
    pytest.param("""
        def main(subjects, rows):
            for row in rows:
                events = client.messages.create(model="claude-haiku-4-5", max_tokens=5, stream=True, messages=[{"role": "user", "content": row["q"]}])  # expect: BL105
                row["out"] = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    """, id="stream-true-events-accumulated"),
    pytest.param(STREAM_TEXT + """
        def main(subjects, rows):
            for row in rows:
                for chunk in stream_text(row["q"]):
                    print(chunk, end="", flush=True)
    """, id="neg-generator-stream-printed-by-its-caller"),
    pytest.param(STREAM_TEXT + """
        def main(subjects, rows):
            for row in rows:
                row["out"] = "".join(stream_text(row["q"]))
            return serve(stream_text("live"))

        def serve(tokens):
            return tokens
    """, id="neg-generator-also-handed-on-unread"),
])
def test_streams_only_gathered_in_code_are_candidates(tmp_path, body):
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files)


# a model wrapper whose method makes the call (the shape of bigcodebench's generate.py)
CODEGEN = """
        class Model:
            def codegen(self, prompts, num_samples=1):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompts[0]}])

"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(subjects, rows):
            for row in rows:
                text = row["q"]
                answer = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])  # expect: BL105
                row["answer"] = answer
    """, id="read-from-the-item-before-the-answer-is-stored-into-it"),
    pytest.param("""
        def main(subjects, rows):
            summary = ""
            for row in rows:
                text = row["q"] + summary
                answer = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])
                row["answer"] = answer
                summary = answer.content[0].text
    """, id="neg-read-from-the-item-and-a-running-summary"),
    pytest.param("""
        def main(subjects, rows):
            prev = ""
            for row in rows:
                text = row["q"]
                answer = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text + prev}])
                row["answer"] = answer
                prev = answer.content[0].text
    """, id="neg-previous-answer-read-by-the-next-request"),
    pytest.param("""
        def main(subjects, rows):
            answers = []
            for row in rows:
                text = row["q"]
                answer = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text + str(answers)}])
                answers.append(answer)
    """, id="neg-answers-appended-to-a-list-the-request-reads"),
    pytest.param("""
        def main(subjects, rows):
            messages = []
            for row in rows:
                text = row["q"]
                messages.append({"role": "user", "content": text})
                answer = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=messages)
                messages.append({"role": "assistant", "content": answer.content[0].text})
    """, id="neg-conversation-read-by-the-next-call"),
    pytest.param(CODEGEN + """
        def main(subjects, rows, done=None, n_samples=1, batch_size=4):
            model = Model()
            batch_prompts, batch_task_ids, batch_nsamples = [], [], []
            for id_num, (task_id, task) in enumerate(rows):
                n_existing = (done or {}).get(task_id, 0)
                nsamples = n_samples - n_existing
                if nsamples > 0:
                    batch_prompts.append(task["q"])
                    batch_task_ids.append(task_id)
                    batch_nsamples.append(nsamples)
                if len(batch_prompts) == batch_size:
                    outputs = model.codegen(batch_prompts, num_samples=max(batch_nsamples))  # expect: BL105
                    for task_id, content, nsamples, task_outputs in zip(batch_task_ids, batch_prompts, batch_nsamples, outputs):
                        print(task_id, task_outputs[:nsamples])
                    batch_prompts, batch_task_ids, batch_nsamples = [], [], []
    """, id="inner-loop-after-the-call-rebinds-names-bound-before-it"),
    pytest.param(CODEGEN + """
        def main(subjects, rows):
            model = Model()
            for batch in rows:
                task_ids = [t["id"] for t in batch]
                prompts = [t["q"] for t in batch]
                outputs = model.codegen(prompts)  # expect: BL105
                for task_id, task, output in zip(task_ids, batch, outputs):
                    print(task_id, task, output)
    """, id="inner-loop-after-the-call-over-the-batch"),
    pytest.param(CODEGEN + """
        def main(subjects, rows):
            model, hint = Model(), ""
            for batch in rows:
                prompts = [t["q"] + hint for t in batch]
                outputs = model.codegen(prompts)
                for hint in outputs:
                    print(hint)
    """, id="neg-inner-loop-after-the-call-rebinds-a-name-the-next-request-reads"),
])
def test_names_bound_afresh_before_the_call_carry_nothing_over(tmp_path, body):
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files)


ONE_ITEM = """
    import anthropic

    client = anthropic.Anthropic()
    PROVIDERS = ["anthropic", "openai", "gemini"]


    def ask(name):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": name}])


    def providers_command(chosen):
        for name in PROVIDERS:
            print(name)
            if name == chosen:
                print(ask(name))


    def test_connections(config, chosen):
        for name, key in config.items():
            if chosen and chosen.lower() == name and key:
                print(ask(name))


    def every_match(chosen):
        for name in PROVIDERS:
            if name != chosen:
                print(ask(name))  # expect: BL101


    def each_by_its_own_field(rows):
        for row in rows:
            if row == row.strip():
                print(ask(row))  # expect: BL101
"""


def test_a_loop_that_picks_one_item_by_equality_calls_once(tmp_path):
    """`if name == chosen:` inside `for name in ...` runs the call for the one
    equal item; `!=`, or a test on the item itself, runs it for many."""
    import textwrap

    files = {"cli.py": textwrap.dedent(ONE_ITEM)}
    assert run(tmp_path, files) == expected(files)


RESUME_CACHE = """
    import anthropic

    client = anthropic.Anthropic()


    def answer_all(samples, done):
        for sample in samples:
            out = {"id": sample["id"]}
            if sample["id"] in done:
                out["qa"] = done[sample["id"]]["qa"]
            else:
                out["qa"] = sample["qa"]
            answers = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": str(out)}])  # expect: BL101
            done[sample["id"]] = {"qa": answers}


    def summarize(chunks):
        summary = ""
        for chunk in chunks:
            summary = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": summary + chunk}])
"""


def test_a_resume_cache_keyed_by_the_item_is_no_dependence(tmp_path):
    """Results kept in a dict by each item's key and read back for the same
    key (resuming a run) carry nothing between distinct items; a running
    summary does."""
    files = {"qa.py": textwrap.dedent(RESUME_CACHE)}
    assert run(tmp_path, files) == expected(files)


FLAG_IN_IF = """
    import queue
    import time

    import anthropic

    client = anthropic.Anthropic()


    def ask(prompt):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    def judge(prompt):
        success, tries = False, 0
        while not success and tries < 3:
            try:
                response = ask(prompt)
                if response:
                    success = True
                else:
                    tries += 1
            except Exception:
                time.sleep(1)
                tries += 1
        return response


    def drain(jobs: queue.Queue):
        done = False
        while not done:
            job = jobs.get()
            response = ask(job)  # expect: BL101
            if response.stop_reason == "end_turn":
                done = jobs.empty()
"""


def test_a_flag_set_under_a_test_of_the_answer_makes_a_retry(tmp_path):
    """`if response: success = True` under `while not success`: one request
    asked until it answers. A queue worker whose flag also depends on the
    answer still takes a new job each pass."""
    files = {"judge.py": textwrap.dedent(FLAG_IN_IF)}
    assert run(tmp_path, files) == expected(files)


TEXT_FROM_BLOCKS = """
    import anthropic

    client = anthropic.Anthropic()


    def first_text(prompt, attempts=4):
        text = ""
        for _attempt in range(attempts):
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": prompt}])
            text = ""
            for part in reply.content:
                if part.type == "text" and part.text:
                    text = part.text
                    break
            if text:
                break
        return text


    def label_all(prompts):
        labels = []
        for prompt in prompts:
            text = ""
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": prompt}])  # expect: BL101
            for part in reply.content:
                if part.type == "text":
                    text = part.text
            labels.append(text)
        return labels
"""


def test_an_exit_test_on_text_gathered_from_the_answer_makes_a_retry(tmp_path):
    """`text = ""` reset, filled from the answer's blocks in an inner loop,
    then `if text: break`: one request asked until it answers (a range
    retry). A loop over prompts that gathers text the same way without
    leaving early is a loop over items."""
    files = {"retry.py": textwrap.dedent(TEXT_FROM_BLOCKS)}
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(subjects, rows):
            for name in rows:
                rows[name]["answer"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": rows[name]["q"]}])  # expect: BL105
    """, id="answer-stored-at-the-items-own-entry"),
    pytest.param("""
        def main(subjects, rows):
            for i in range(len(rows)):
                reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": rows[i]["q"]}])  # expect: BL105
                rows[i]["answer"] = reply.content[0].text
    """, id="answer-stored-at-the-indexed-entry"),
    pytest.param("""
        def main(subjects, rows):
            for name in rows:
                question = rows[name]["q"]
                reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": question}])  # expect: BL105
                rows[name]["answer"] = reply.content[0].text
    """, id="a-local-taken-from-the-items-own-entry"),
    pytest.param("""
        def main(subjects, rows):
            for i in range(1, len(rows)):
                rows[i]["answer"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": str(rows[i - 1])}])
    """, id="neg-each-request-reads-the-previous-entry"),
    pytest.param("""
        def main(subjects, rows):
            for i in range(1, len(rows)):
                previous = rows[i - 1]
                rows[i]["answer"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": str(previous)}])
    """, id="neg-a-local-taken-from-the-previous-entry"),
    pytest.param("""
        def main(subjects, rows):
            for name in rows:
                rows[name]["answer"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": str(rows)}])
    """, id="neg-each-request-reads-every-entry"),
])
def test_answers_stored_into_the_iterated_collection(tmp_path, body):
    """Storing the answer at the loop item's own entry of the collection it
    iterates is no dependence; a request that reads other entries is."""
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files)


TURNS = """
    import anthropic

    client = anthropic.Anthropic()


    def converse(turns):
        messages = []
        for turn in turns:
            messages.append({"role": "user", "content": turn})
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=messages)
            messages.append({"role": "assistant", "content": reply.content[0].text})
        return messages

"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(questions):
            return [converse(q["turns"]) for q in questions]  # expect: BL105
    """, id="questions-each-a-multi-turn-conversation"),
    pytest.param("""
        def main(questions):
            for q in questions:
                history = []
                for turn in q["turns"]:
                    history.append({"role": "user", "content": turn})
                    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=history)  # expect: BL105
                    history.append({"role": "assistant", "content": reply.content[0].text})
    """, id="the-same-in-one-function"),
    pytest.param("""
        def main(questions):
            return converse(questions[0]["turns"])
    """, id="neg-one-conversation-alone"),
    pytest.param("""
        def main(questions):
            notes = ""
            for q in questions:
                notes = converse([notes + q["turns"][0]])[-1]["content"]
    """, id="neg-each-conversation-reads-the-previous-one"),
])
def test_independent_items_each_a_chain_of_dependent_turns(tmp_path, body):
    """The turns of one conversation wait for each other; the questions do
    not: the loop over questions is the repetition (one batch per round of
    turns). A conversation alone, or conversations that feed each other, are
    not batchable."""
    files = {"job.py": "".join(textwrap.dedent(part) for part in (TURNS, body, MAIN))}
    assert run(tmp_path, files) == expected(files)


def test_rounds_that_follow_a_dependent_first_request_are_dependent(tmp_path):
    """Each idea's first request reads the archive of earlier ideas, and its
    reflection rounds read that request's history: the rounds of one idea
    cannot be batched with the next idea's either."""
    body = """
        def main(seeds, rows):
            archive = list(seeds)
            for _ in range(len(rows)):
                history = []
                first = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "\\n".join(archive)}])
                history.append({"role": "assistant", "content": first.content[0].text})
                for round_number in range(3):
                    history.append({"role": "user", "content": f"improve it ({round_number})"})
                    better = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=history)
                    history.append({"role": "assistant", "content": better.content[0].text})
                archive.append(history[-1]["content"])
    """
    files = {"ideas.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files) == []


AGENT = """
    import anthropic

    client = anthropic.Anthropic()


    class Agent:
        def __init__(self, task):
            self.journal = [task]

        def step(self, hint=""):
            prompt = "\\n".join(self.journal) + hint
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": prompt}])
            self.journal.append(reply.content[0].text)

        def sample(self, hint=""):
            prompt = "\\n".join(self.journal) + hint
            return client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": prompt}])


    def main(hints):
        agent = Agent("improve the model")
        LOOP
            CALL


    if __name__ == "__main__":
        main(["a", "b"])
"""


@pytest.mark.parametrize("loop, call, reported", [
    pytest.param("step = 0\n        while step < 10:", "agent.step()\n            step += 1", False,
                 id="neg-an-agent-stepping-on-its-own-journal"),
    pytest.param("for _ in range(10):", "agent.step(hint='go on')", False,
                 id="neg-the-same-hint-each-step"),
    pytest.param("for _ in range(10):", "agent.sample()", True,
                 id="samples-that-leave-nothing-on-the-object-are-independent"),
    pytest.param("for hint in hints:", "Agent(hint).step()", True,
                 id="a-new-object-each-iteration"),
])
def test_a_method_that_changes_its_object_makes_dependent_steps(tmp_path, loop, call, reported):
    body = AGENT.replace("LOOP", loop).replace("CALL", call + ("  # expect: BL105" if reported else ""))
    files = {"job.py": body}
    assert run(tmp_path, files) == expected(files)


HELD = """
    import anthropic

    client = anthropic.Anthropic()


    class Memory:
        def __init__(self, task):
            self.items = [task]

        def note(self, text):
            self.items.append(text)

        def show(self, text):
            print(text)

        def text(self):
            return "\\n".join(self.items)


    class Agent:
        def __init__(self, task):
            self.memory = Memory(task)

        def _remember(self, text):
            self.memory.note(text)

        def step(self):
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                           messages=[{"role": "user", "content": self.memory.text()}])
            KEEP


    if __name__ == "__main__":
        agent = Agent("improve the model")
        while True:
            agent.step()MARK
"""


@pytest.mark.parametrize("keep, reported", [
    pytest.param("self.memory.note(reply.content[0].text)", False, id="neg-the-journal-kept-by-an-object-it-holds"),
    pytest.param("self._remember(reply.content[0].text)", False, id="neg-kept-through-its-own-helper-and-a-held-object"),
    pytest.param("self.memory.show(reply.content[0].text)", True, id="a-held-object-that-keeps-nothing"),
])
def test_an_object_changed_through_what_it_holds_makes_dependent_steps(tmp_path, keep, reported):
    body = HELD.replace("KEEP", keep).replace("MARK", "  # expect: BL105" if reported else "")
    files = {"job.py": body}
    assert expected(files) == ([("job.py", 36, "BL105")] if reported else [])
    assert run(tmp_path, files) == expected(files)


CRAWL = """
    import anthropic

    client = anthropic.Anthropic()


    class Extractor:
        def __init__(self):
            self.calls = 0

        def analyze(self, chunk):
            self.calls += 1
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                           messages=[{"role": "user", "content": chunk}])
            return reply.content[0].text


    def extract(extractor, chunk):
        for attempt in range(3):
            try:
                return extractor.analyze(chunk)
            except Exception:
                continue


    def crawl(start, extractor):
        queue = [start]
        while queue:
            page = queue.pop()
            links = []
            for chunk in page.split("\\n\\n"):
                links += extract(extractor, chunk).split()MARK
            QUEUE


    if __name__ == "__main__":
        crawl("https://example.com", Extractor())
"""


@pytest.mark.parametrize("queue, reported", [
    pytest.param("queue.extend(links)", False, id="neg-chunks-of-pages-a-crawl-finds-from-the-answers"),
    pytest.param("print(links)", True, id="chunks-of-one-page-each-asked-again-on-failure"),
])
def test_each_dependent_loop_needs_its_own_repetition_above_it(tmp_path, queue, reported):
    """The retry loop around the method is one request asked again (not steps
    of an object), the chunk loop is a repetition, and the crawl that feeds the
    answers' links back is a dependence above it: a batch per page's chunks
    would still wait for the answers before the next page."""
    body = CRAWL.replace("QUEUE", queue).replace("MARK", "  # expect: BL105" if reported else "")
    files = {"job.py": body}
    assert run(tmp_path, files) == expected(files)


BOOK = """
    import anthropic

    client = anthropic.Anthropic()


    class Book:
        def __init__(self):
            self.done = []

        def translate_batch(self, batch):
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                           messages=[{"role": "user", "content": "\\n".join(batch)}])
            self.done.append(reply.content[0].text)


    def translate(book, paragraphs):
        batch = []
        for paragraph in paragraphs:
            ADD
            if len(batch) >= 3:
                book.translate_batch(batch)  # expect: BL105
                batch.clear()


    if __name__ == "__main__":
        translate(Book(), ["a", "b", "c", "d"])
"""


@pytest.mark.parametrize("add", [
    pytest.param("batch.append(paragraph)", id="a-list-the-loop-fills-in-place"),
    pytest.param("batch = batch + [paragraph]", id="a-list-the-loop-rebinds"),
])
def test_a_method_given_a_list_the_loop_fills_gets_new_input_each_time(tmp_path, add):
    files = {"job.py": BOOK.replace("ADD", add)}
    assert expected(files)
    assert run(tmp_path, files) == expected(files)


def test_a_method_given_what_a_call_returns_gets_new_input_each_time(tmp_path):
    """`bot.handle(inbox.get())`: each pass asks afresh, whatever the bot keeps."""
    source = HELD.replace("def step(self):", "def step(self, task):").replace(
        "messages=[{\"role\": \"user\", \"content\": self.memory.text()}]",
        "messages=[{\"role\": \"user\", \"content\": task}]").replace("KEEP", "self.memory.note(reply.content[0].text)")
    files = {"job.py": source.replace("agent.step()MARK", "agent.step(input_queue.get())  # expect: BL105")
             .replace("agent = Agent(", "import queue\n        input_queue = queue.Queue()\n        agent = Agent(")}
    assert "def step(self, task)" in files["job.py"] and expected(files)
    assert run(tmp_path, files) == expected(files)


SECTIONS = """
    import anthropic

    client = anthropic.Anthropic()
    steps = ["intro", "model", "results"]


    def ask(prompt):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                      messages=[{"role": "user", "content": prompt}]).content[0].text


    if __name__ == "__main__":
        for i, step in enumerate(steps):
            context = ""
            READ
            answer = ask(f"{context}\\nWrite the {step} section")MARK
            with open(f"out/{step}-response.md", "w") as handle:
                handle.write(answer)
"""


@pytest.mark.parametrize("read, reported", [
    pytest.param("for earlier in steps[:i]:\n                context += open(f\"out/{earlier}-response.md\").read()",
                 False, id="neg-earlier-answers-read-back-from-their-files"),
    pytest.param("paths = [f\"out/{name}-response.md\" for name in steps[:i]]\n            context = assemble(paths)",
                 False, id="neg-paths-of-earlier-answers-handed-to-a-helper"),
    pytest.param("context = open(f\"in/{step}.md\").read()", True, id="each-step-reads-its-own-input"),
    pytest.param("import os\n            if os.path.exists(f\"out/{step}-response.md\"):\n                continue",
                 True, id="a-resume-check-on-the-steps-own-output"),
])
def test_answers_carried_through_files(tmp_path, read, reported):
    body = SECTIONS.replace("READ", read).replace("MARK", "  # expect: BL105" if reported else "")
    if "assemble(" in read:
        body = body.replace("steps = [", "assemble = \"\".join\n    steps = [")
    files = {"paper.py": body}
    assert run(tmp_path, files) == expected(files)


SENTENCES = """
    import anthropic

    client = anthropic.Anthropic()


    def ask(prompt):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                      messages=[{"role": "user", "content": prompt}]).content[0].text


    def sentences(count):
        made = 0
        out = []
        while made < count:
            text = ask(f"write {count - made} sentences")MARK
            for line in LINES:
                out.append(line)
                made += 1
        return out


    if __name__ == "__main__":
        print(sentences(100))
"""


@pytest.mark.parametrize("lines, reported", [
    pytest.param("text.splitlines()", False, id="neg-a-counter-raised-per-line-of-the-answer"),
    pytest.param("range(5)", True, id="a-counter-raised-a-fixed-number-of-times"),
])
def test_a_counter_raised_per_element_of_the_answer(tmp_path, lines, reported):
    body = SENTENCES.replace("LINES", lines).replace("MARK", "  # expect: BL105" if reported else "")
    files = {"gen.py": body}
    assert run(tmp_path, files) == expected(files)


def test_a_file_per_sample_written_under_a_built_path_is_no_dependence(tmp_path):
    """`join(out, name, f"{i}.py")` names the file each sample goes to; the
    f-string inside the written path is not a path read back."""
    body = SECTIONS.replace("READ", "pass").replace("MARK", "  # expect: BL105").replace(
        'with open(f"out/{step}-response.md", "w") as handle:',
        'with open(os.path.join(out_dir, step, f"{i}.py"), "w") as handle:').replace(
        "import anthropic\n", "import os\n\n    import anthropic\n\n    out_dir = os.environ[\"OUT\"]\n", 1)
    files = {"paper.py": body}
    assert 'f"{i}.py"' in body and expected(files)
    assert run(tmp_path, files) == expected(files)
