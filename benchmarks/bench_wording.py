"""Wording analysis at corpus scale, and the grammar's accuracy on the labelled set.

Run: python benchmarks/bench_wording.py [--texts 100000] [--seed 2020]
Prints texts per second for the full analysis (sentences, every lexicon match, verb groups) on one
core, against the target of 10,000 per second, and the labelled-set accuracy figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # for tests.test_wording (the labelled set's scorer)

from helpers import load_case  # noqa: E402
from helpers.wording import analyse_corpus, load_lexicon, split_sentences  # noqa: E402

TARGET_PER_SECOND = 10_000


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


def measure_rate(texts: int, seed: int):
    """Texts per second for ``analyse_corpus`` on ``texts`` tweet-length texts, and its table."""
    lexicon = load_lexicon()
    corpus = tweet_corpus(texts, seed)
    analyse_corpus(corpus[:1000], lexicon, "Hootsuite")  # warm the compiled-pattern cache
    began = time.perf_counter()
    table = analyse_corpus(corpus, lexicon, "Hootsuite")
    seconds = time.perf_counter() - began
    table.attrs["mean_chars"] = sum(map(len, corpus)) / len(corpus)
    return len(corpus) / seconds, table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)

    rate, table = measure_rate(args.texts, args.seed)
    lexicon = load_lexicon()
    print(f"wording analysis: {args.texts:,} texts (mean {table.attrs['mean_chars']:.0f} characters) in {args.texts / rate:.2f} s "
          f"= {rate:,.0f} texts/s on one core; target {TARGET_PER_SECOND:,}/s -> ratio {rate / TARGET_PER_SECOND:.2f} "
          f"({'meets' if rate >= TARGET_PER_SECOND else 'BELOW'} target)")
    print(f"  matches found: {int(table[lexicon.categories].to_numpy().sum()):,}; verb groups negated: {int(table['negated_groups'].sum()):,}")

    from tests.test_wording import FLOORS, labelled_scores

    scores = labelled_scores()
    for measure, score in scores.items():
        print(f"labelled set, {measure}: {score:.3f} (floor {FLOORS[measure]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
