"""Tests of the seeded bAbI generator ``make_babi``."""

import re

import numpy as np
import pandas as pd
import pytest

from skmem.datasets import make_babi

TASKS = range(1, 21)
N = 60
DIRECTION_WORDS = {"n": "north", "s": "south", "e": "east", "w": "west"}


@pytest.fixture(scope="module")
def generated():
    return {task: make_babi(task, n_samples=N, random_state=0) for task in TASKS}


@pytest.mark.parametrize("task", TASKS)
def test_shape_columns_and_types(generated, task):
    X, y = generated[task]
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert list(X.columns) == ["story", "question", "supporting_facts"]
    assert len(X) == N and y.name == "answer"
    assert X.index.equals(y.index) and X.index.equals(pd.RangeIndex(N))
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        assert isinstance(story, list) and story
        assert all(isinstance(s, str) and s.endswith(".") for s in story)
        assert isinstance(question, str) and question.endswith("?")
        assert isinstance(support, list) and support
        assert all(isinstance(f, int) and 0 <= f < len(story) for f in support)
        assert len(set(support)) == len(support)
        assert isinstance(answer, str) and answer and " " not in answer


@pytest.mark.parametrize("task", TASKS)
def test_deterministic_given_random_state(task):
    X1, y1 = make_babi(task, n_samples=12, random_state=42)
    X2, y2 = make_babi(task, n_samples=12, random_state=np.random.RandomState(42))
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)
    X3, _ = make_babi(task, n_samples=12, random_state=43)
    assert not X1.equals(X3)


def test_does_not_use_global_rng():
    np.random.seed(0)
    X1, _ = make_babi(2, n_samples=10, random_state=1)
    np.random.seed(1)
    X2, _ = make_babi(2, n_samples=10, random_state=1)
    pd.testing.assert_frame_equal(X1, X2)


@pytest.mark.parametrize("task", [0, 21, -1, 2.0, "1", True, None])
def test_bad_task_raises(task):
    with pytest.raises(ValueError, match="task"):
        make_babi(task)


@pytest.mark.parametrize("n_samples", [0, -3, 1.5, "10"])
def test_bad_n_samples_raises(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_babi(1, n_samples=n_samples)


def test_n_samples_cuts_last_story():
    X, y = make_babi(1, n_samples=7, random_state=0)
    assert len(X) == len(y) == 7


@pytest.mark.parametrize("task, n_support", [(1, 1), (2, 2), (3, 3), (11, 2), (13, 2),
                                             (14, 2), (15, 2), (16, 3), (17, 2), (19, 2)])
def test_number_of_supporting_facts(generated, task, n_support):
    X, _ = generated[task]
    assert (X.supporting_facts.map(len) == n_support).all()


def last_place(sentences, name):
    """Place of the last sentence naming ``name`` as (one of) its subject(s)."""
    for sentence in reversed(sentences):
        words = sentence.rstrip(".").split()
        if name in words[:3] and " to the " in sentence:
            return words[-1]
    return None


def test_task_1_answer_is_last_place_of_actor(generated):
    X, y = generated[1]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        actor = question.split()[-1].rstrip("?")
        assert last_place(story, actor) == answer
        assert story[support[0]].startswith(actor) and story[support[0]].endswith(f"{answer}.")


def test_task_12_answer_is_last_place_of_actor(generated):
    X, y = generated[12]
    for story, question, answer in zip(X.story, X.question, y):
        assert last_place(story, question.split()[-1].rstrip("?")) == answer


def test_task_2_object_follows_its_carrier(generated):
    X, y = generated[2]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        obj = question.split()[-1].rstrip("?")
        about_obj, move = (story[f] for f in support)
        assert obj in about_obj
        actor = about_obj.split()[0]
        assert move.startswith(actor + " ") and move.endswith(f"the {answer}.")


def test_task_3_before_is_the_previous_move(generated):
    X, y = generated[3]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        obj, now = re.match(r"Where was the (\w+) before the (\w+)\?", question).groups()
        about_obj, move_now, move_before = (story[f] for f in support)
        assert obj in about_obj
        assert move_now.endswith(f"the {now}.") and move_before.endswith(f"the {answer}.")
        assert support[2] < support[1]


def test_task_3_asks_about_any_two_successive_places_since_picked_up():
    # as the real task: any two successive places the carrier took the
    # object to since picking it up, not only the last two, and never a
    # place the carrier went back to afterwards (the question would be
    # ambiguous)
    X, y = make_babi(3, n_samples=300, random_state=0)
    earlier = 0
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        obj, now = re.match(r"Where was the (\w+) before the (\w+)\?", question).groups()
        actor = story[support[2]].split()[0]
        got = max(i for i, s in enumerate(story)
                  if re.match(rf"{actor} (got|grabbed|took|picked up) the {obj}\b", s))
        dropped = [i for i, s in enumerate(story) if i > got and re.match(
            rf"{actor} (dropped|left|discarded|put down) the {obj}\b", s)]
        end = dropped[0] if dropped else len(story)
        moves = [i for i in range(got + 1, end) if re.match(rf"{actor} \D+ to the \w+\.$", story[i])]
        places = [story[i].split()[-1].rstrip(".") for i in moves]
        k = moves.index(support[2])
        assert moves[k + 1] == support[1]
        assert (places[k], places[k + 1]) == (answer, now)
        assert now not in places[k + 2:]
        earlier += k + 2 < len(moves)
    assert 0.1 < earlier / len(y) < 0.35


def test_task_3_asks_soon_after_the_last_of_its_facts():
    # as the real task: within five sentences of the drop, or, for an object
    # still carried, within three of the move to the asked place
    X, y = make_babi(3, n_samples=300, random_state=0)
    carried = 0
    for story, support in zip(X.story, X.supporting_facts):
        about_obj = story[support[0]]
        still_carried = support[0] < support[2]  # the pick-up, before both moves
        carried += still_carried
        assert len(story) - max(support) <= (3 if still_carried else 5)
        assert still_carried or re.search(r"(dropped|left|discarded|put down)", about_obj)
    assert 0.1 < carried / len(y) < 0.35


def test_task_6_yes_no_matches_last_place(generated):
    X, y = generated[6]
    for story, question, answer in zip(X.story, X.question, y):
        actor, place = re.match(r"Is (\w+) in the (\w+)\?", question).groups()
        assert answer == ("yes" if last_place(story, actor) == place else "no")


def carried(story, actor):
    """Objects the actor carries at the end of the story, in order got."""
    held = []
    for sentence in story:
        words = sentence.rstrip(".").split()
        m = re.match(r"(\w+) (?:gave|handed|passed) the (\w+) to (\w+)", sentence)
        if m:
            giver, obj, receiver = m.groups()
            if giver == actor:
                held.remove(obj)
            if receiver == actor:
                held.append(obj)
        elif words[0] == actor and re.search(r" (got|grabbed|took|picked up) ", sentence):
            held.append(words[-2] if words[-1] == "there" else words[-1])
        elif words[0] == actor and re.search(r" (dropped|left|discarded|put down) ", sentence):
            held.remove(words[-2] if words[-1] == "there" else words[-1])
    return held


def test_task_7_and_8_count_and_list_carried_objects(generated):
    numbers = ["none", "one", "two", "three"]
    X, y = generated[7]
    for story, question, answer in zip(X.story, X.question, y):
        assert numbers[len(carried(story, question.split()[4]))] == answer
    X, y = generated[8]
    for story, question, answer in zip(X.story, X.question, y):
        assert (",".join(carried(story, question.split()[2])) or "nothing") == answer


def test_task_19_path_is_valid_directions(generated):
    X, y = generated[19]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        steps = answer.split(",")
        assert len(steps) == 2 and set(steps) <= set(DIRECTION_WORDS)
        start, end = re.match(r"How do you go from the (\w+) to the (\w+)\?", question).groups()
        here = start
        for step, fact in zip(steps, (story[f] for f in support)):
            a, direction, b = re.match(r"The (\w+) is (\w+) of the (\w+)\.", fact).groups()
            opposite = {"north": "south", "south": "north", "east": "west", "west": "east"}
            if here == b:  # a is `direction` of here: go `direction`
                assert DIRECTION_WORDS[step] == direction
                here = a
            else:
                assert here == a and DIRECTION_WORDS[step] == opposite[direction]
                here = b
        assert here == end


def test_task_19_every_statement_names_a_place_of_the_route(generated):
    # the real task's shape: the places off the route hang off its three
    # places, so no statement links two places off the route
    X, _ = generated[19]
    for story, question, support in zip(X.story, X.question, X.supporting_facts):
        pairs = [set(re.match(r"The (\w+) is \w+ of the (\w+)\.", s).groups()) for s in story]
        route = pairs[support[0]] | pairs[support[1]]
        assert len(route) == 3 and len(set().union(*pairs)) == 6
        assert all(pair & route for pair in pairs)


def test_task_14_time_words_and_order(generated):
    X, y = generated[14]
    order = ["yesterday", "this morning", "this afternoon", "this evening"]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        later, earlier = (story[f].lower() for f in support)
        t_later = [t for t in order if t in later][0]
        t_earlier = [t for t in order if t in earlier][0]
        assert order.index(t_later) == order.index(t_earlier) + 1
        assert f"the {answer}" in earlier


def test_task_15_deduction(generated):
    X, y = generated[15]
    singular = {"mice": "mouse", "cats": "cat", "sheep": "sheep", "wolves": "wolf"}
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        name = question.split()[2]
        is_a, fear = (story[f] for f in support)
        assert is_a.lower().startswith(name)
        assert singular[fear.split()[-1].rstrip(".")] == answer


def _induction_story(story):
    """Task 16's story as ``{name: (kind, kind fact)}`` and ``{name: colour}``."""
    kinds, colours = {}, {}
    for i, sentence in enumerate(story):
        words = sentence.rstrip(".").split()
        if words[2] == "a":
            kinds[words[0]] = (words[3], i)
        else:
            colours[words[0]] = words[2]
    return kinds, colours


def test_task_16_answer_is_colour_of_last_told_of_its_kind(generated):
    X, y = generated[16]
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        name = question.split()[-1].rstrip("?")
        kinds, colours = _induction_story(story)
        assert name not in colours
        mates = [n for n in kinds if n != name and kinds[n][0] == kinds[name][0]]
        mate = max(mates, key=lambda n: kinds[n][1])
        assert answer == colours[mate]
        assert story[support[0]].startswith(name) and story[support[2]].startswith(mate)


def test_task_16_animals_mostly_have_their_kinds_colour():
    # as in the real stories, where two animals of one kind (other than the
    # one asked about) share their colour in 60% of the pairs, not always
    X, _ = make_babi(16, n_samples=2000, random_state=0)
    same = []
    for story in X.story:
        kinds, colours = _induction_story(story)
        named = sorted(colours)
        same += [colours[a] == colours[b] for i, a in enumerate(named) for b in named[i + 1 :]
                 if kinds[a][0] == kinds[b][0]]
    assert 0.5 < np.mean(same) < 0.7


def test_task_18_sizes_are_consistent(generated):
    X, y = generated[18]
    for story, question, answer in zip(X.story, X.question, y):
        bigger = set()
        for s in story:
            m = re.match(r"The (.+) fits inside the (.+)\.", s)
            if m:
                bigger.add((m.group(2), m.group(1)))
            m = re.match(r"The (.+) is bigger than the (.+)\.", s)
            if m:
                bigger.add(m.groups())
        for _ in range(len(bigger)):  # transitive closure
            bigger |= {(a, d) for a, b in bigger for c, d in bigger if b == c}
        assert not any((b, a) in bigger for a, b in bigger)
        m = re.match(r"Does the (.+) fit in the (.+)\?", question)
        pair = (m.group(2), m.group(1)) if m else re.match(
            r"Is the (.+) bigger than the (.+)\?", question).groups()
        assert answer == ("yes" if pair in bigger else "no")


def test_task_20_motivations(generated):
    X, y = generated[20]
    motives = {"hungry", "thirsty", "tired", "bored"}
    for story, question, support, answer in zip(X.story, X.question, X.supporting_facts, y):
        motive = story[support[0]].rstrip(".").split()[-1]
        assert motive in motives
        if question.startswith("Why"):
            assert answer == motive


def test_vocabulary_of_real_tasks():
    X, y = make_babi(3, n_samples=200, random_state=0)
    words = {w for story in X.story for s in story for w in re.findall(r"[A-Za-z]+", s)}
    assert {"Mary", "John", "Daniel", "Sandra", "journeyed", "discarded", "put", "down"} <= words
