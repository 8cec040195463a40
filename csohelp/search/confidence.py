"""Confidence: does a topic really answer the query? The share of the query's meaningful words it matches.

A query's words are weighed (filler such as "je voudrais savoir" or an order number counts
little), then each candidate topic scores the weighted share of the words it matches: fully in
its title or keywords (either language), half in its summary or body, not at all for a body
word that half the topics contain (IBM, CSOL, demande). A topic answers the query when that
share reaches BAR and at least one word matched its title or keywords: a single weak word of
a long unrelated query is not a match, and out-of-scope questions get the no-result page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .analysis import fold, stems

BAR = 0.5  # share of the query's weighted words a topic must match to be shown at all
KNOWN_BAR = 0.3  # the same when every word is one the help center or everyday language uses
STRONG = 1.0  # title or keywords, the word itself or a synonym
FUZZY = 0.8  # title or keywords through a completion of an unfinished word
WEAK = 0.4  # summary or body only
UBIQUITOUS = 0.5  # a body word of this share of the topics or more is no evidence there
EVERYWHERE = 0.95  # a word in (nearly) every topic's body says nothing of the topic wanted
LIGHT = 0.2  # weight of filler words and bare numbers
TAIL = 0.3  # drop hits covering this much less than the best one...
TAIL_SCORE = 0.5  # ...unless their score is at least this share of the best score
# Words the help center never uses, in either language. A specific one ("pizza", "passport")
# says the question is about something else and weighs ALIEN; an everyday one ("team",
# "next", "mois") is the context of a sentence and weighs CONTEXT.
ALIEN = 2.1  # more than two matched words together: it decides a short query
LONG_ALIEN = 0.5
NO_TOPIC = 4.0  # a word the synonym table lists as no topic's: outweighs three matched ones

LONG_BAR = 0.4  # the bar of a long question holding words from elsewhere (its context, mostly)
ALIEN_QUERY = 4  # meaningful concepts of a query where ALIEN applies
CONTEXT = 0.3
BODY_ONLY = 0.3  # a word only of topics' bodies: context too
SHORT_QUERY = 2  # meaningful concepts of a short query (see weigh_needs)
SHORT_WORD = 4  # an unknown word this short ("bil", "qc") is too short to be about anything
EVERYDAY = 10 ** (5.0 - 9)  # wordfreq frequency of an everyday word (Zipf 5: once per 100,000 words)
CAP = 3.0  # a topic matching this much of the weight answers however long the question
SHORT_FIELDS = frozenset({"title", "keywords", "xtitle", "xkeywords"})
# Words of a question that say what people want, not what about (fr and en, accent-folded).
FILLER = frozenset(fold(w) for w in """
    veux voudrais voulons voulez aimerais aimerions besoin savoir comment pourquoi quand quel
    quelle quels quelles faire fait peux peut pouvez pouvons puis svp merci
    bonjour allo info infos information informations question questions obtenir chose combien
    want wants wanted need needs would like know how why when what which get please thanks
    thank hello hi info information question questions could should tell way much many
    seulement encore toujours deja aussi juste vraiment urgent svp peuvent pourrais pourriez si there hey
    pourrait veut veulent faut quoi
    only still yet already always also just really urgent pls
    semaine semaines prochain prochaine dernier derniere mois jour jours aujourd'hui demain hier
    annee matin soir lundi mardi mercredi jeudi vendredi samedi dimanche
    week weeks next last month months day days today tomorrow yesterday year morning
    afternoon evening monday tuesday wednesday thursday friday saturday sunday ago
""".split())
# Words of any business's own organisation (fr and en, accent-folded): a client's context
# ("our subsidiary", "the users", "notre succursale"), never a sign of another subject.
BUSINESS = frozenset(fold(w) for w in """
    user users access subsidiary subsidiaries department departments division branch branches
    office offices headquarters team staff employee employees manager management finance
    financial accounting accountant controller budget cost costs project projects supplier
    suppliers vendor vendors procurement purchasing buyer buyers site sites location locations
    unit units corporation enterprise organization organisation entity ledger payable payables
    receivable audit compliance internal head
    utilisateur utilisateurs accès filiale filiales département départements division
    succursale succursales bureau bureaux siège équipe employé employés gestionnaire direction
    finances financier comptabilité comptable contrôleur budget coût coûts projet projets
    fournisseur fournisseurs approvisionnement acheteur acheteuse emplacement unité
    organisation entité payables vérification conformité interne social
""".split())
GENERIC_WEIGHT = 0.5
# Everyday verbs: they say what to do, and only a little about which topic (fr and en).
GENERIC = """
    changer modifier mettre ajouter voir afficher envoyer utiliser accepter prendre donner
    trouver chercher passer retirer enlever supprimer créer ouvrir soumettre
    change modify update add see view send use accept take give ask find look make put
    switch remove delete create open submit
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
    synonyms: bool = False  # the concept has equivalents in the synonym table
    alien: bool = False  # a specific word the help center never uses (pizza, passport)
    probes: list[Probe] = field(default_factory=list)


def weight_of(words: tuple[str, ...], own_stems: tuple[str, ...], lang: str) -> float:
    """How much a concept's words say about the topic wanted (filler and numbers little,
    everyday verbs such as "changer" or "find" half)."""
    if all(w in FILLER or w.isdigit() for w in words):
        return LIGHT
    if own_stems and all(t in generic_stems(lang) for t in own_stems):
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
                everyday: Callable[[str], float], slipped: Callable[[str], bool]) -> None:
    """Weigh each concept by what it says about the topic wanted: a word of some topic's title or
    keywords (or of the synonym table) counts fully; a word only of bodies, or an everyday word
    the help center never uses, is context; a specific word it never uses (pizza, passport)
    says the question is about something else; a word of (nearly) every topic says nothing."""
    weights = [n.weight for n in needs]
    # In a short query every word is what it is about: an everyday word the help center never
    # uses ("statut de mon vol", "numéro de série de ma voiture") is no mere context there.
    meaningful = sum(1 for n in needs if n.weight > LIGHT)
    short = meaningful <= SHORT_QUERY
    # A word from elsewhere decides a query of a few words ("amazon order tracking"); in a
    # long question it is more likely the client's context ("our storage array").
    long = meaningful > ALIEN_QUERY
    for need in needs:
        if need.stems and all(scorer.share(searcher, "body", t) >= EVERYWHERE for t in need.stems):
            need.weight = min(need.weight, LIGHT)
            continue
        found = {p.field for p in need.probes if used(scorer, searcher, p)}
        if need.weight < 1.0 or found & SHORT_FIELDS:  # filler, everyday verbs: weighed already
            continue
        if need.synonyms and not found & SHORT_FIELDS:
            # Words the synonym table knows but no topic is about (in no title or keywords):
            # jobs, a share price, repairs. Listed there on purpose, they decide any query.
            need.weight, need.alien = NO_TOPIC, True
        elif need.synonyms:
            continue
        elif found or any(knows(w) for w in need.words):
            need.weight = min(need.weight, BODY_ONLY)
        elif all(w in BUSINESS for w in need.words):
            need.weight = min(need.weight, CONTEXT)
        elif all(everyday(w) >= EVERYDAY for w in need.words):
            if not short:
                need.weight = min(need.weight, CONTEXT)
            else:
                need.weight, need.alien = (LONG_ALIEN, True) if long else (ALIEN, True)
        elif all(slipped(w) for w in need.words):
            need.weight = LIGHT  # a stop word mistyped: "wher is my order", "whos eligible"
        elif all(len(w) < SHORT_WORD and not everyday(w) for w in need.words):
            need.weight = min(need.weight, CONTEXT)  # a fragment ("bil"): too short to tell
        else:
            need.weight, need.alien = (LONG_ALIEN, True) if long else (ALIEN, True)
    if all(n.weight <= LIGHT for n in needs):
        # Only words of every topic ("CSOL c'est quoi"): then they are what is asked about.
        for need, weight in zip(needs, weights, strict=True):
            need.weight = weight


def used(scorer: Any, searcher: Any, probe: Probe) -> bool:
    """Whether some topic has the probe's words in its field (as a phrase for several words:
    "bank account" is not "bank transfer" plus "customer account")."""
    if len(probe.terms) > 1:
        return len(scorer.phrase_docs(searcher, probe.field, probe.terms)) > 0
    return scorer.share(searcher, probe.field, probe.terms[0]) > 0


def coverages(scorer: Any, searcher: Any, docnums: list[int],
              needs: list[Need]) -> dict[int, tuple[float, bool]]:
    """Per document: the weighted share of needs it matches, and whether one matched its title
    or keywords. Each probe is looked up once for all the candidates (binary searches)."""
    # Long questions: matching CAP of the help center's words is enough; a word from
    # elsewhere always counts in full.
    heavy = [n for n in needs if n.alien and n.weight > LONG_ALIEN]
    total = min(sum(n.weight for n in needs if n not in heavy), CAP) + sum(n.weight for n in heavy)
    got = dict.fromkeys(docnums, 0.0)
    strong = dict.fromkeys(docnums, False)
    for need in needs:
        best = dict.fromkeys(docnums, 0.0)
        for probe in sorted(need.probes, key=lambda p: -p.strength):
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
        for d in docnums:
            got[d] += need.weight * best[d]
            strong[d] = strong[d] or best[d] > WEAK
    return {d: (min(1.0, got[d] / total) if total else 0.0, strong[d]) for d in docnums}


def confident(scored: list[tuple[int, float, float, bool]],
              needs: list[Need]) -> list[tuple[int, float, float]]:
    """Hits (docnum, score, coverage) that answer the query, best first, without the long tail.

    A query made only of the help center's words (and everyday ones) is about it: a topic
    covering KNOWN_BAR of it may answer. One with a word from elsewhere needs BAR."""
    aliens = [n for n in needs if n.alien]
    bar = KNOWN_BAR if not aliens else BAR if any(n.weight > LONG_ALIEN for n in aliens) else LONG_BAR
    kept = [(d, s * (0.25 + c), c) for d, s, c, strong in scored if strong and c >= bar]
    if not kept:
        return []
    kept.sort(key=lambda h: -h[1])
    best_cov = max(c for _, _, c in kept)
    top = kept[0][1]
    return [h for h in kept if h[2] >= best_cov - TAIL or h[1] >= TAIL_SCORE * top]
