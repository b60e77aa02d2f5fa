"""An object that learns from its answers (`action = agent.act(state)`, then
`agent.train(state, action, reward)` storing what `act`'s next request reads)
makes every later request depend on earlier answers, for as long as the object
lives: no loop above it is a batch. The same loops are reported when what the
object is given is not read by the asking method, when it is given no answer,
or when each item gets an object of its own."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

AGENT = """
    import anthropic


    class Student:
        def __init__(self):
            self.client = anthropic.Anthropic()
            self.examples = []
            self.log = []

        def prompt(self, state):
            return "\\n".join(self.examples) + f"\\nNow: {state}"

        def act(self, state):
            reply = self.client.messages.create(
                model="claude-haiku-4-5", max_tokens=64,
                messages=[{"role": "user", "content": self.prompt(state)}])
            return reply.content[0].text

        def train(self, state, action, reward):
            self.examples.append(f"{state} -> {action}: {reward}")
"""

# the answer reaches the object through a helper of the trainer, the loop is in another method
TRAINER = """
    from agent import Student


    class Trainer:
        def __init__(self, agent, env):
            self.agent = agent
            self.env = env

        def step(self, state):
            action = self.agent.act(state)
            reward = self.env.check(action)
            self.agent.train(state, action, reward)
            return reward

        def start(self, problems):
            for problem in problems:
                self.env.set_problem(problem)
                self.step(self.env.state())  # mark: trainer


    if __name__ == "__main__":
        import sys
        Trainer(Student(), None).start(sys.argv[1:])
"""

# the answer, through a name computed from it, goes back in the same loop
SAME_LOOP = """
    from agent import Student


    def practise(agent, problems):
        for problem in problems:
            action = agent.act(problem)  # mark: loop
            verdict = action.strip().lower()
            agent.train(problem, verdict, 1)


    if __name__ == "__main__":
        import sys
        practise(Student(), sys.argv[1:])
"""


# each problem gets a trainer and an agent of its own: the problems are independent
# items, each a chain of steps that learn (one batch per round of steps)
TRAINER_PER_PROBLEM = TRAINER.replace("""        Trainer(Student(), None).start(sys.argv[1:])""", """        for problem in sys.argv[1:]:
            Trainer(Student(), None).start([problem])  # mark: per-problem""")

# a session handed in by the caller, built per item there
SESSION = """
    from agent import Student


    def solve(session, steps):
        for step in steps:
            action = session.act(step)
            session.train(step, action, 1)


    def main(tasks):
        for task in tasks:
            solve(Student(), task)  # mark: per-task


    if __name__ == "__main__":
        import sys
        main([sys.argv[1:]])
"""


def _files(agent=AGENT, **others):
    files = {"agent.py": textwrap.dedent(agent)}
    files.update({f"{name}.py": textwrap.dedent(text) for name, text in others.items()})
    return files


def _expect(text: str, mark: str, code: str = "BL105") -> str:
    return _swap(text, f"# mark: {mark}", f"# expect: {code}")


def _swap(text: str, old: str, new: str) -> str:
    """str.replace that fails loudly when the case no longer holds `old`."""
    assert old in text, old
    return text.replace(old, new)


@pytest.mark.parametrize("files", [
    pytest.param(_files(trainer=TRAINER), id="neg-trainer-feeds-each-answer-back-through-a-helper"),
    pytest.param(_files(practise=SAME_LOOP), id="neg-answer-fed-back-in-the-same-loop"),
    pytest.param(_files(practise=_swap(SAME_LOOP, "def practise(agent, problems):",
                                              "agent = Student()\n\n\n    def practise(unused, problems):")),
                 id="neg-a-module-level-agent"),
])
def test_an_object_learning_from_its_answers_is_not_reported(tmp_path, files):
    assert run(tmp_path, files) == []


@pytest.mark.parametrize("files", [
    pytest.param(_files(agent=_swap(AGENT, "self.examples.append(f", "self.log.append(f"),
                        trainer=_expect(TRAINER, "trainer")),
                 id="what-it-is-given-is-never-read-by-the-asking-method"),
    pytest.param(_files(practise=_swap(_expect(SAME_LOOP, "loop"), "agent.train(problem, verdict, 1)",
                                               "agent.train(problem, 'seen', 1)")),
                 id="it-learns-the-inputs-not-the-answers"),
    pytest.param(_files(practise=_swap(
        _expect(SAME_LOOP, "loop"), "def practise(agent, problems):\n        for problem in problems:\n",
        "def practise(unused, problems):\n        for problem in problems:\n            agent = Student()\n")),
                 id="each-item-gets-an-agent-of-its-own"),
    pytest.param(_files(trainer=_expect(TRAINER_PER_PROBLEM, "per-problem")),
                 id="each-problem-gets-a-trainer-and-agent-of-its-own"),
    pytest.param(_files(session=_expect(SESSION, "per-task")),
                 id="each-task-gets-a-session-from-its-caller"),
])
def test_the_same_loops_are_reported_when_nothing_learnt_reaches_the_next_request(tmp_path, files):
    assert expected(files), "the case must mark what it expects"
    assert run(tmp_path, files) == expected(files)
