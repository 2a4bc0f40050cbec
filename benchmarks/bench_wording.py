"""Wording analysis at corpus scale, and the grammar's accuracy on the labelled set.

Run: python benchmarks/bench_wording.py [--texts 100000] [--seed 2020]
Prints texts per second for the full analysis (sentences, every lexicon match, verb groups) on one
core, against the target of 10,000 per second (the best of three passes over the corpus, with
every pass shown), and the labelled-set accuracy figures.
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


PASSES = 3


def measure_rate(texts: int, seed: int, passes: int = PASSES):
    """Texts per second for ``analyse_corpus`` on ``texts`` tweet-length texts, and its table.

    The whole corpus is analysed ``passes`` times in one process. The rate is the best pass's:
    the machine is shared, and another tenant's load only ever makes a pass slower, so the
    fastest pass is the closest to what this code costs on one core (``timeit`` reports its
    minimum for the same reason). ``table.attrs["passes"]`` keeps every pass's wall-clock and
    CPU seconds, so the spread is printed beside the rate rather than hidden.
    """
    lexicon = load_lexicon()
    corpus = tweet_corpus(texts, seed)
    analyse_corpus(corpus[:1000], lexicon, "Hootsuite")  # warm the compiled-pattern cache
    timings = []
    for _ in range(passes):
        wall, cpu = time.perf_counter(), time.process_time()
        table = analyse_corpus(corpus, lexicon, "Hootsuite")
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    table.attrs["mean_chars"] = sum(map(len, corpus)) / len(corpus)
    table.attrs["passes"] = timings
    return len(corpus) / min(wall for wall, _ in timings), table


def spread(table, texts: int) -> str:
    """Every pass's rate, wall clock (and CPU time), for printing beside the best."""
    return ", ".join(f"{texts / wall:,.0f} ({texts / cpu:,.0f} CPU)" for wall, cpu in table.attrs["passes"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)

    rate, table = measure_rate(args.texts, args.seed)
    lexicon = load_lexicon()
    print(f"wording analysis: {args.texts:,} texts (mean {table.attrs['mean_chars']:.0f} characters) in {args.texts / rate:.2f} s "
          f"= {rate:,.0f} texts/s on one core (best of {len(table.attrs['passes'])} passes); target {TARGET_PER_SECOND:,}/s "
          f"-> ratio {rate / TARGET_PER_SECOND:.2f} ({'meets' if rate >= TARGET_PER_SECOND else 'BELOW'} target)")
    print(f"  every pass, texts/s: {spread(table, args.texts)}")
    print(f"  matches found: {int(table[lexicon.categories].to_numpy().sum()):,}; verb groups negated: {int(table['negated_groups'].sum()):,}")

    from tests.test_wording import FLOORS, labelled_scores

    scores = labelled_scores()
    for measure, score in scores.items():
        print(f"labelled set, {measure}: {score:.3f} (floor {FLOORS[measure]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
