"""Shared pieces of the bAbI generator: vocabulary, stories and a small world.

The world follows the simulation the bAbI paper describes (Weston et al.
2015, section 3): actors move between places and get, drop and give objects;
a carried object goes wherever its carrier goes. Every action is told as one
sentence of a :class:`Story`, and the world remembers which sentence told
what, so that questions can name their supporting facts.

Locations nobody has been told about stay open: an actor or an object starts
at a private *unknown spot*, and two unknown spots are merged (or an unknown
spot pinned to a place) when an action needs two things together. The world
is therefore always consistent with every sentence told, without deciding
in advance where everything is.
"""

# --------------------------------------------------------------------------
# vocabulary of the real tasks

PLACES = ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")
PLACES_TIME = ("bedroom", "cinema", "kitchen", "office", "park", "school")
ACTORS = ("Mary", "John", "Daniel", "Sandra")
ACTORS_GIVE = ("Bill", "Fred", "Jeff", "Mary")
ACTORS_TIME = ("Bill", "Fred", "Julie", "Mary")
OBJECTS = ("football", "apple", "milk")
PRONOUN = {"Mary": "she", "Sandra": "she", "John": "he", "Daniel": "he"}

MOVE = ("moved", "went", "journeyed", "travelled", "went back")
GET = ("got", "grabbed", "took", "picked up")
DROP = ("dropped", "left", "discarded", "put down")
GIVE = ("gave", "handed", "passed")
THEN = ("Then", "After that", "Afterwards", "Following that")
NUMBERS = ("none", "one", "two", "three", "four", "five")

DIRECTIONS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


#: chance that a question is about the sentence 1, 2, ... 5 back (real tasks
#: ask about what happened in the last few sentences, mostly the last one)
RECENT = (0.3, 0.3, 0.17, 0.14, 0.09)


def pick(rng, items):
    """One element of ``items`` drawn uniformly with ``rng``."""
    return items[rng.randint(len(items))]


def pick_weighted(rng, items, weights):
    """One element of ``items`` drawn with ``rng``, in proportion to ``weights``."""
    total = float(sum(weights))
    return items[rng.choice(len(items), p=[w / total for w in weights])]


def pick_recent(rng, n_told, candidates, weights=RECENT):
    """Pick one of ``candidates``, a list of ``(item, fact)``, by recency.

    Only items whose ``fact`` is among the last ``len(weights)`` sentences of
    the ``n_told`` told are eligible; ``weights[k - 1]`` weighs those told
    ``k`` sentences back. Returns None when none is eligible.
    """
    fresh = {}
    for item, fact in candidates:
        back = n_told - fact
        if back <= len(weights) and weights[back - 1] > 0:
            fresh.setdefault(back, []).append(item)
    if not fresh:
        return None
    backs = sorted(fresh)
    back = pick_weighted(rng, backs, [weights[k - 1] for k in backs])
    return pick(rng, fresh[back])


class Story:
    """Sentences told so far and the questions asked along the way.

    Each question remembers how many sentences preceded it, so that one
    story yields one sample per question, as in the bAbI files.
    """

    def __init__(self):
        self.sentences = []
        self.questions = []  # (n_sentences, question, answer, support)

    def __len__(self):
        return len(self.sentences)

    def tell(self, text):
        """Append a sentence and return its 0-based position."""
        self.sentences.append(text)
        return len(self.sentences) - 1

    def ask(self, question, answer, support):
        """Ask a question about the sentences told so far."""
        self.questions.append((len(self.sentences), question, answer, list(support)))


def ask_every(story, rng, act, ask, n_questions, *, step=2, p_ask=1.0, first=None, p_first=None):
    """Tell ``step`` sentences at a time, then try to ask a question.

    ``act()`` tells one sentence; ``ask()`` asks a question when one can be
    answered and returns whether it did. A question is tried with
    probability ``p_ask``, or ``p_first`` (if given) until the first one is
    asked; always once ``first`` sentences are reached when no question has
    been asked yet, if ``first`` is given.
    """
    while len(story.questions) < n_questions:
        for _ in range(step):
            act()
        due = first is not None and not story.questions and len(story) >= first
        p = p_first if p_first is not None and not story.questions else p_ask
        if due or rng.rand() < p:
            ask()
    return story


class World:
    """Actors, places and objects, with what the story has said about them.

    Parameters
    ----------
    story : Story
        Where the actions are told.
    rng : numpy.random.RandomState
        Source of the random choices (verbs, "there").
    actors, places, objects : sequence of str
        The entities of this world.
    p_there : float
        Probability that a drop ends with "there" (gets always do when
        ``get_there`` is 1.0).
    """

    def __init__(self, story, rng, actors, places, objects, *, p_there=0.2, get_there=1.0):
        self.story, self.rng = story, rng
        self.actors, self.places, self.objects = list(actors), list(places), list(objects)
        self.p_there, self.get_there = p_there, get_there
        self.spot = {name: ("?", name) for name in self.actors + self.objects}
        self.holder = {obj: None for obj in self.objects}
        self.carried = {actor: [] for actor in self.actors}  # in order acquired
        self.moved = {}  # actor -> (place, fact) of the last move told
        self.obj_fact = {}  # object -> last fact about it
        self.obj_known = {}  # object -> (place, move fact) while its place is known
        self.trail = {obj: [] for obj in self.objects}  # moves since last got
        self.facts_of = {actor: [] for actor in self.actors}  # object facts
        self.gave = []  # (giver, obj, receiver, fact)

    # -- places ---------------------------------------------------------
    def _unify(self, a, b):
        """Put a and b at the same spot if the story allows it."""
        sa, sb = self.spot[a], self.spot[b]
        if sa == sb:
            return True
        if isinstance(sa, tuple) or isinstance(sb, tuple):
            old, new = (sa, sb) if isinstance(sa, tuple) else (sb, sa)
            for name, where in self.spot.items():
                if where == old:
                    self.spot[name] = new
            return True
        return False

    def known_place(self, actor):
        """(place, fact) of the actor's last move, or None."""
        return self.moved.get(actor)

    # -- actions ----------------------------------------------------------
    def move(self, actor, place=None, *, verb=None):
        if place is None:
            here = self.spot[actor]
            place = pick(self.rng, [p for p in self.places if p != here])
        verb = verb or pick(self.rng, MOVE)
        fact = self.story.tell(f"{actor} {verb} to the {place}.")
        self.arrive(actor, place, fact)
        return fact

    def arrive(self, actor, place, fact):
        old = self.spot[actor]
        for name, where in self.spot.items():
            if where == old and (name == actor or self.holder.get(name) == actor):
                self.spot[name] = place
        self.moved[actor] = (place, fact)
        for obj in self.carried[actor]:
            self.trail[obj].append((place, fact))
            self.obj_known[obj] = (place, fact)

    def can_get(self, actor, obj):
        if self.holder[obj] is not None:
            return False
        sa, so = self.spot[actor], self.spot[obj]
        return sa == so or isinstance(sa, tuple) or isinstance(so, tuple)

    def get(self, actor, obj):
        self._unify(actor, obj)
        there = " there" if self.rng.rand() < self.get_there else ""
        fact = self.story.tell(f"{actor} {pick(self.rng, GET)} the {obj}{there}.")
        self._receive(actor, obj, fact)
        return fact

    def _receive(self, actor, obj, fact):
        self.holder[obj] = actor
        self.carried[actor].append(obj)
        self.obj_fact[obj] = fact
        self.facts_of[actor].append(fact)
        self.trail[obj] = []
        if actor in self.moved:
            self.obj_known[obj] = self.moved[actor]
        else:
            self.obj_known.pop(obj, None)

    def drop(self, actor, obj):
        there = " there" if self.rng.rand() < self.p_there else ""
        fact = self.story.tell(f"{actor} {pick(self.rng, DROP)} the {obj}{there}.")
        self.holder[obj] = None
        self.carried[actor].remove(obj)
        self.obj_fact[obj] = fact
        self.facts_of[actor].append(fact)
        return fact

    def can_give(self, actor, obj, receiver):
        if receiver == actor or self.holder[obj] != actor:
            return False
        sa, sr = self.spot[actor], self.spot[receiver]
        return sa == sr or isinstance(sa, tuple) or isinstance(sr, tuple)

    def give(self, actor, obj, receiver):
        self._unify(actor, receiver)
        fact = self.story.tell(f"{actor} {pick(self.rng, GIVE)} the {obj} to {receiver}.")
        self.carried[actor].remove(obj)
        self.facts_of[actor].append(fact)
        self._receive(receiver, obj, fact)
        self.gave.append((actor, obj, receiver, fact))
        return fact

    # -- random actions ---------------------------------------------------
    def random_action(self, weights, *, move_holder=0.0):
        """Tell one random possible action; ``weights`` maps kind to weight.

        Kinds are ``"move"``, ``"get"``, ``"drop"`` and ``"give"``. With
        probability ``move_holder`` a move is made by an actor carrying
        something (when there is one).
        """
        kinds = list(weights)
        p = [weights[k] for k in kinds]
        while True:
            kind = pick_weighted(self.rng, kinds, p)
            holding = [a for a in self.actors if self.carried[a]]
            if kind == "move":
                movers = holding if holding and self.rng.rand() < move_holder else self.actors
                return self.move(pick(self.rng, movers))
            if kind == "get":
                actor = pick(self.rng, self.actors)
                free = [o for o in self.objects if self.can_get(actor, o)]
                if free:
                    return self.get(actor, pick(self.rng, free))
                continue
            if not holding:
                continue
            actor = pick(self.rng, holding)
            obj = pick(self.rng, self.carried[actor])
            if kind == "drop":
                return self.drop(actor, obj)
            others = [r for r in self.actors if self.can_give(actor, obj, r)]
            if others:
                return self.give(actor, obj, pick(self.rng, others))
