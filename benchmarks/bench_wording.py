"""Wording analysis at corpus scale beside VADER, and the grammar's accuracy on the labelled set.

Run: python benchmarks/bench_wording.py [--texts 100000] [--seed 2020] [--passes 3]
Needs VADER, the benchmark's peer (never a dependency of the module):
    pip install -e ".[vader]"

Prints texts per second on one core for our full analysis (sentences, every lexicon match with
its span, verb groups with tense, negation, voice and subject) and for VADER's sentiment scores
(``SentimentIntensityAnalyzer.polarity_scores``, a rule-based analyser with a lexicon of its own)
on the same tweet-length texts in the same run, with every pass shown; then the labelled-set
accuracy figures. The two do different work: VADER gives four scores per text, ours a table of
matches and verb groups; the comparison says what a plain pure-Python analysis of this kind costs
beside a widely used one.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # for tests.test_wording (the labelled set's scorer)

from helpers import load_case  # noqa: E402
from helpers.text import split_sentences  # noqa: E402
from helpers.wording import analyse_corpus, load_lexicon  # noqa: E402

PASSES = 3
PEER_EXTRA = "vader"  # the optional dependency in pyproject.toml that installs the peer


class PeerMissing(RuntimeError):
    """VADER is not installed in this environment."""


def tweet_corpus(count: int, seed: int) -> list[str]:
    """Tweet-length texts (at most 280 characters) recombined from the case's sentences."""
    case = load_case("hootsuite-ice-2020")
    sentences = [text[s:e] for text in case.statements["text"] for s, e in split_sentences(text)]
    rng = random.Random(seed)
    corpus = []
    while len(corpus) < count:
        text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
        corpus.append(text[:280])
    return corpus


def ours() -> Callable[[list[str]], object]:
    """Our analysis of a corpus: the table of ``analyse_corpus``."""
    lexicon = load_lexicon()
    return lambda corpus: analyse_corpus(corpus, lexicon, "Hootsuite")


def vader() -> Callable[[list[str]], object]:
    """VADER's analysis of a corpus: the four scores of every text."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # the peer: a benchmark-only extra
    except ImportError:
        raise PeerMissing(f'VADER is not installed: pip install -e ".[{PEER_EXTRA}]"') from None
    analyser = SentimentIntensityAnalyzer()
    return lambda corpus: [analyser.polarity_scores(text) for text in corpus]


def measure_rates(
    analysers: dict[str, Callable[[list[str]], object]], corpus: list[str], passes: int = PASSES
) -> dict[str, dict]:
    """Texts per second of each analyser on ``corpus``: the best of ``passes`` passes, taken in turn.

    The passes alternate between the analysers (ours, VADER, ours, VADER, ...), so the machine's
    load falls on both alike. The rate is each one's fastest pass: the machine is shared, and
    another tenant's load only ever makes a pass slower (``timeit`` reports its minimum for the
    same reason). Every pass's wall-clock and CPU seconds are kept, so the spread is printed
    beside the rate rather than hidden. Each analyser is warmed up first on a thousand texts.
    """
    for analyse in analysers.values():
        analyse(corpus[:1000])
    results = {name: {"passes": [], "output": None} for name in analysers}
    for _ in range(passes):
        for name, analyse in analysers.items():
            wall, cpu = time.perf_counter(), time.process_time()
            results[name]["output"] = analyse(corpus)
            results[name]["passes"].append((time.perf_counter() - wall, time.process_time() - cpu))
    for result in results.values():
        result["rate"] = len(corpus) / min(wall for wall, _ in result["passes"])
    return results


def spread(result: dict, texts: int) -> str:
    """Every pass's rate, wall clock (and CPU time), for printing beside the best."""
    return ", ".join(f"{texts / wall:,.0f} ({texts / cpu:,.0f} CPU)" for wall, cpu in result["passes"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--passes", type=int, default=PASSES)
    args = parser.parse_args(argv)
    try:
        analysers = {"ours": ours(), "VADER": vader()}
    except PeerMissing as exc:
        print(f"bench_wording: {exc}", file=sys.stderr)
        return 2

    corpus = tweet_corpus(args.texts, args.seed)
    results = measure_rates(analysers, corpus, args.passes)
    mean = sum(map(len, corpus)) / len(corpus)
    print(
        f"{args.texts:,} tweet-length texts (mean {mean:.0f} characters), one core, best of {args.passes} passes each, taken in turn:"
    )
    for name, result in results.items():
        print(f"  {name:<6} {result['rate']:>8,.0f} texts/s   every pass: {spread(result, args.texts)}")
    print(f"  ours / VADER: {results['ours']['rate'] / results['VADER']['rate']:.2f}")
    table = results["ours"]["output"]
    print(
        f"  our matches found: {int(table[load_lexicon().categories].to_numpy().sum()):,}; verb groups negated: {int(table['negated_groups'].sum()):,}"
    )

    from tests.test_wording import FLOORS, labelled_scores  # the scorer the tests hold to the floors

    for measure, score in labelled_scores().items():
        print(f"labelled set, {measure}: {score:.3f} (floor {FLOORS[measure]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
