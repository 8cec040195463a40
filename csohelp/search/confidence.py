"""Confidence: does a topic really answer the query? The weighted share of the query it matches.

Each concept of the query is weighed by what it says about the topic wanted (`weigh_needs`):
a word of some topic's title or keywords fully, context (bodies, everyday words, the context
words of lexicon.yaml) little, filler and time words less, and a word from elsewhere ("pizza",
a repair, a tax; unknown, or of another subject in lexicon.yaml) heavily, so that it decides
a short query (and, when the lexicon names its subject, a long one). Each candidate topic
then scores the weighted share it matches: fully in its title or keywords (either language),
less in its summary or body. A topic answers when that share reaches the bar of the query and
one word matched its title or keywords: out-of-scope questions get the no-result page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .analysis import fold, stems
from .client import continues_number, describes_client, in_place_names, is_reference, names_client
from .index import SHORT_FIELDS
from .lexicon import lexicon
from .spelling import everyday_frequency, slipped_elsewhere, slipped_stopword

BAR = 0.5  # share a topic must match of a short query holding a word from elsewhere
LONG_BAR = 0.4  # ...of a long question holding one (its context, mostly)
KNOWN_BAR = 0.3  # ...of a query made of the help center's own and everyday words
STRONG = 1.0  # title or keywords, the word itself or a synonym
FUZZY = 0.8  # title or keywords through a completion of an unfinished word
WEAK = 0.4  # summary or body only
UBIQUITOUS = 0.5  # a body word of this share of the topics or more is no evidence there
EVERYWHERE = 0.95  # a word in (nearly) every topic's body says nothing of the topic wanted
LIGHT = 0.2  # weight of filler words and bare numbers
CONTEXT = 0.3  # weight of a word only of bodies, or everyday, or of a business's organisation
ALIEN = 2.1  # a word from elsewhere in a short query: outweighs two matched words
LONG_ALIEN = 0.5  # the same word in a long question, where it is mostly context
NO_TOPIC = 4.0  # a word the synonym table lists as no topic's: outweighs three matched ones
NEUTRAL = 1.0  # an everyday word of no other subject (lexicon.yaml's neutral): a word's worth
ELSEWHERE = 2.1  # a word of another subject (lexicon.yaml) in a short query
LONG_ELSEWHERE = 1.5  # ...in a long question
SITUATIONAL = 1.5  # ...and a situational word (lexicon.yaml: a lawyer, the GST) in a short one
ALIEN_QUERY = 4  # meaningful concepts up to which a query is short for words from elsewhere
SITUATION_QUERY = 6  # ...and beyond which a situational word (a lawyer, the GST) is context
ELSEWHERE_QUERY = 7  # ...and beyond which a word from elsewhere weighs a word: the client's story
CLIENT_QUERY = 3  # ...beyond which a word beside an organisation describes the client ("dental clinic")
SHORT_QUERY = 2  # ...and up to which an everyday word is what the query is about
SHORT_WORD = 4  # an unknown word this short ("bil", "qc") is too short to be about anything
EVERYDAY = 10 ** (5.0 - 9)  # wordfreq frequency of an everyday word (Zipf 5: once per 100,000 words)
LONG_EVERYDAY = 10 ** (4.0 - 9)  # ...in a long question, where common words are its context
CAP = 2.8  # a topic matching this much of the weight answers however long the question
TAIL = 0.3  # drop hits covering this much less than the best one...
TAIL_SCORE = 0.5  # ...unless their score is at least this share of the best score
FEW = 3  # ...or they are among the first few: a client looks at three answers, not one
DISTINCT = 4.0  # the order of the hits kept: a word few of them have in title or keywords counts
RAW = 0.7  # ...and of the BM25 score, compressed: what a hit covers counts more than how often
# Words of a question that say what people want, not what about (fr and en, accent-folded).
FILLER = frozenset(fold(w) for w in """
    veux voudrais voulons voulez aimerais aimerions besoin savoir comment pourquoi quand quel
    quelle quels quelles faire fait peux peut pouvez pouvons puis svp merci
    bonjour allo info infos information informations question questions obtenir chose combien
    want wants wanted need needs would like know how why when what which get please thanks
    thank hello hi info information question questions could should tell way much many
    seulement encore toujours deja aussi juste vraiment urgent peuvent pourrais pourriez
    pourrait veut veulent faut quoi si there hey fyi btw asap chu astheure pantoute aimerait
    aimeraient aimeriez
    only still yet already always also just really urgent pls plz thx ty pcq stp qqch qqn vs versus
    semaine semaines prochain prochaine dernier derniere mois jour jours aujourd'hui demain hier
    annee matin soir lundi mardi mercredi jeudi vendredi samedi dimanche
    week weeks next last month months day days today tomorrow yesterday year morning
    afternoon evening monday tuesday wednesday thursday friday saturday sunday ago
""".split())
GENERIC_WEIGHT = 0.5
# Everyday verbs: they say what to do, and only a little about which topic (fr and en).
GENERIC = """
    changer modifier mettre ajouter voir afficher envoyer utiliser accepter prendre donner
    trouver chercher passer retirer enlever supprimer créer ouvrir soumettre
    change modify update add see view send use accept take give ask find look make put
    switch remove delete create open submit rajouter
""".split()


@dataclass
class Probe:
    """One way a topic can match a concept: a field holding these stems, worth `strength`."""

    field: str
    terms: tuple[str, ...]
    strength: float


@dataclass
class Need:
    """One meaningful concept of the query: its weight and the ways a topic can match it."""

    weight: float
    stems: tuple[str, ...] = ()  # the concept's own words, stemmed in the reader's language
    words: tuple[str, ...] = ()  # the concept's words as typed (folded)
    no_topic: bool = False  # a phrase of a synonym group no topic is about
    alien: bool = False  # a word from elsewhere (pizza, passport, a repair)
    probes: list[Probe] = field(default_factory=list)

    @property
    def decisive(self) -> bool:
        """A word from elsewhere weighing more than context: it sets the bar and counts in full."""
        return self.alien and self.weight > LONG_ALIEN


def weight_of(words: tuple[str, ...], own_stems: tuple[str, ...], lang: str) -> float:
    """How much a concept's words say about the topic wanted (filler and numbers little,
    everyday verbs such as "changer" or "find" half, but not in a phrase: "who can use")."""
    if all(w in FILLER or w.isdigit() for w in words):
        return LIGHT
    if len(words) == 1 and own_stems and all(t in generic_stems(lang) for t in own_stems):
        return GENERIC_WEIGHT
    return 1.0


@cache
def generic_stems(lang: str) -> frozenset[str]:
    """The stems of GENERIC in a language's analysis (so every form of the verb counts)."""
    return frozenset(t for w in GENERIC for t in stems(lang, w))


def probe_strength(fieldname: str, alternative_weight: float) -> float:
    """What matching one field through one alternative of a concept is worth."""
    if fieldname in SHORT_FIELDS:
        return STRONG if alternative_weight >= 0.9 else FUZZY
    return WEAK


def weigh_needs(scorer: Any, searcher: Any, needs: list[Need], knows: Callable[[str], bool],
                corrects: Callable[[str], bool]) -> None:
    """Weigh each concept by what it says about the topic wanted (see the module's docstring);
    `knows` tells whether the help center uses a word in some form, `corrects` whether the
    spelling correction reads a word as one of its own."""
    weights = [n.weight for n in needs]
    meaningful = sum(1 for n in needs if n.weight > LIGHT)
    # A word from elsewhere decides a query of a few words ("amazon order tracking"); in a
    # long question it is more likely the client's context ("our storage array").
    alien = ALIEN if meaningful <= ALIEN_QUERY else LONG_ALIEN
    common = EVERYDAY if meaningful <= ALIEN_QUERY else LONG_EVERYDAY
    everyday = everyday_frequency()
    words = lexicon()
    phrased: bool | None = None  # named_by_phrase: looked up once, and only if a word needs it
    placed = in_place_names(needs, words)
    for i, need in enumerate(needs):
        if need.no_topic:
            # Groups the synonym table lists as no topic's (repairs, jobs, a share price; the
            # build checks that no title or keyword has them): they decide any query, even
            # when their words are in every body ("own customers").
            need.weight, need.alien = NO_TOPIC, True
            continue
        if need.stems and all(scorer.share(searcher, "body", t) >= EVERYWHERE for t in need.stems):
            need.weight = min(need.weight, LIGHT)
            continue
        if need.weight < 1.0:
            continue  # filler, numbers, everyday verbs: weighed already
        found = {p.field for p in need.probes if used(scorer, searcher, p)}
        if found & SHORT_FIELDS:
            continue  # what some topic is about
        if i in placed:
            need.weight = CONTEXT  # "Medicine Hat", "Rivière-du-Loup": where the client is
            continue
        kinds = {words.kind(w) for w in need.words}
        situational = kinds == {"situational"}
        if situational and phrased is None:
            phrased = named_by_phrase(scorer, searcher, needs)
        if situational and phrased:
            need.weight = CONTEXT  # "serial number for our insurer": a topic's phrase says what
        elif meaningful > SITUATION_QUERY and situational:
            need.weight = CONTEXT  # "as a lawyer reviewing our agreement...": who asks, not what
        elif names_client(needs, i, weights, kinds, words):
            need.weight = CONTEXT  # "inventaire du matériel à la papetière": who asks, not what
        elif meaningful > CLIENT_QUERY and describes_client(needs, i, words):
            need.weight = CONTEXT  # "dental clinic", "cabinet d'avocats": who asks, not what
        elif kinds & {"elsewhere", "situational"}:
            # A subject the help center does not cover, even in a long question ("our coffee
            # machine lease"), and even when some body mentions the word in passing.
            need.weight = (ELSEWHERE if meaningful <= ALIEN_QUERY else LONG_ELSEWHERE
                           if meaningful <= ELSEWHERE_QUERY else NEUTRAL)
            if situational:
                need.weight = min(need.weight, SITUATIONAL)
            need.alien = True
        elif found or any(knows(w) for w in need.words) or kinds == {"context"}:
            need.weight = CONTEXT
        elif all(is_reference(w) for w in need.words) or continues_number(needs, i):
            need.weight = CONTEXT  # the client's own number (order, part, machine): "00AR123"
        elif all(everyday.get(w, 0.0) >= common for w in need.words):
            # In a short query every word is what it is about ("statut de mon vol"); in a
            # longer one an everyday word is context ("team", "next", "mois").
            if meaningful <= SHORT_QUERY:
                need.weight, need.alien = neutral_or(alien, kinds)
            else:
                need.weight = CONTEXT
        elif all(slipped_stopword(w) for w in need.words):
            need.weight = LIGHT  # a stop word mistyped: "wher is my order", "whos eligible"
        elif all(slipped_elsewhere(w, knows, corrects) for w in need.words):
            need.weight = CONTEXT  # an everyday word mistyped: "by firday"
        elif all(len(w) < SHORT_WORD and w not in everyday for w in need.words):
            need.weight = CONTEXT  # a fragment ("bil"): too short to tell
        else:
            need.weight, need.alien = neutral_or(alien, kinds)
    if all(n.weight <= LIGHT for n in needs):
        # Only words of every topic ("CSOL c'est quoi"): then they are what is asked about.
        for need, weight in zip(needs, weights, strict=True):
            need.weight = weight


def named_by_phrase(scorer: Any, searcher: Any, needs: list[Need]) -> bool:
    """Whether a concept of several words is some topic's title or keyword phrase ("numéro de
    série", "payment terms"): then the query says what it is about, whatever the situation."""
    return any(len(n.words) > 1 and not n.no_topic and any(
        p.field in SHORT_FIELDS and len(p.terms) > 1 and used(scorer, searcher, p) for p in n.probes)
        for n in needs)


def neutral_or(alien: float, kinds: set[str | None]) -> tuple[float, bool]:
    """The weight of a word we would call from elsewhere (it is, either way: it still sets a
    short query's bar), unless, in a short query, the lexicon judges it an everyday word of no
    other subject ("possède", "écrite", "mornings"): then it weighs one word, so that the
    query's own words must still be matched, but it no longer outweighs them. (In a long
    question a word from elsewhere already weighs less than one word.)"""
    if NEUTRAL < alien and kinds == {"neutral"}:
        return NEUTRAL, True
    return alien, True


def used(scorer: Any, searcher: Any, probe: Probe) -> bool:
    """Whether some topic has the probe's words in its field (as a phrase for several words:
    "bank account" is not "bank transfer" plus "customer account")."""
    if len(probe.terms) > 1:
        return len(scorer.phrase_docs(searcher, probe.field, probe.terms)) > 0
    return scorer.share(searcher, probe.field, probe.terms[0]) > 0


def coverages(scorer: Any, searcher: Any, docnums: list[int],
              needs: list[Need]) -> dict[int, tuple[float, bool, float]]:
    """Per document: the weighted share of needs it matches, whether one matched its title or
    keywords, and how distinctly: each such need's share divided among the candidates that
    match it so. Each probe is looked up once for all the candidates (binary searches)."""
    # Long questions: matching CAP of the help center's words is enough; a word from
    # elsewhere always counts in full.
    total = (min(sum(n.weight for n in needs if not n.decisive), CAP)
             + sum(n.weight for n in needs if n.decisive))
    got = dict.fromkeys(docnums, 0.0)
    distinct = dict.fromkeys(docnums, 0.0)
    strong = dict.fromkeys(docnums, False)
    for need in needs:
        best = dict.fromkeys(docnums, 0.0)
        # A phrase no topic is about (the build checks titles and keywords) matches none, even
        # through a word its stop words leave ("own customers": "customers").
        for probe in sorted(need.probes if not need.no_topic else (), key=lambda p: -p.strength):
            todo = {d for d in docnums if best[d] < probe.strength}
            if not todo:
                break
            if probe.strength == WEAK and (need.alien or any(
                    scorer.share(searcher, probe.field, t) >= UBIQUITOUS for t in probe.terms)):
                continue  # (a word from elsewhere met in a body, "dépannage": no evidence)
            for term in probe.terms:
                todo = scorer.having(searcher, todo, probe.field, term)
            for d in todo:
                best[d] = probe.strength
        # "feedback" in one candidate's keywords says more than "service" in ten titles.
        sharing = sum(1 for d in docnums if best[d] > WEAK) or 1
        for d in docnums:
            got[d] += need.weight * best[d]
            strong[d] = strong[d] or best[d] > WEAK
            if best[d] > WEAK:
                distinct[d] += need.weight * best[d] / sharing
    weight = sum(n.weight for n in needs) or 1.0
    return {d: (min(1.0, got[d] / total) if total else 0.0, strong[d], distinct[d] / weight)
            for d in docnums}


def confident(scored: list[tuple[int, float, float, bool, float]],
              needs: list[Need]) -> list[tuple[int, float, float]]:
    """Hits (docnum, score, coverage) that answer the query, best first, without the long tail.

    A query made only of the help center's words (and everyday ones) is about it: a topic
    covering KNOWN_BAR of it may answer. One with a word from elsewhere needs more. Among the
    hits kept, one matching words the others lack ranks higher (DISTINCT). The tail is cut
    beyond the first FEW: a client reads three answers, so the third stays."""
    bar = (BAR if any(n.decisive for n in needs) else LONG_BAR if any(n.alien for n in needs)
           else KNOWN_BAR)
    kept = [(d, s ** RAW * (0.25 + c), c, r) for d, s, c, strong, r in scored if strong and c >= bar]
    if not kept:
        return []
    best_cov = max(h[2] for h in kept)
    top = max(h[1] for h in kept)
    # (the tail is judged on the score before DISTINCT, the order on the score after it)
    ranked = sorted(((d, s * (1 + DISTINCT * distinct), c, s) for d, s, c, distinct in kept),
                    key=lambda h: -h[1])
    return [(d, s, c) for i, (d, s, c, before) in enumerate(ranked)
            if i < FEW or c >= best_cov - TAIL or before >= TAIL_SCORE * top]
