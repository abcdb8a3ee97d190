"""Benchmark: rendering pathological Markdown, the inputs that are slow to parse.

    uv run python bench/markdown_bench.py [--length 50000] [--repeat 3]

Renders each input (about ``--length`` characters: unmatched brackets, emphasis
runs, backticks, entities, deep nesting...) with the site's renderer
(``portal.text.markdown.render_markdown``: cmark-gfm, then the nesting limit and the
nh3 sanitiser), ``--repeat`` times, and prints the best time and the length of
the HTML. Then the same at half the length, so that the ratio shows whether the
time grows linearly (about 2) or faster (about 4 for quadratic). Goal: every
input of 50,000 characters under 1 s. Prints figures; asserts nothing; needs no
database.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def inputs(length: int) -> dict[str, str]:
    """Each pathological input, about ``length`` characters long."""

    def repeat(unit: str, suffix: str = "") -> str:
        return unit * (length // len(unit)) + suffix

    return {
        '"[" (unmatched)': repeat("["),
        '"]"': repeat("]"),
        '"[" then one "]"': repeat("[", "]"),
        '"!["': repeat("!["),
        '"[a]("': repeat("[a]("),
        '"[a]"': repeat("[a]"),
        '"[a](b)"': repeat("[a](b)"),
        '"*"': repeat("*"),
        '"_"': repeat("_"),
        '"*a"': repeat("*a"),
        '"**a*"': repeat("**a*"),
        '"`"': repeat("`"),
        '"`a"': repeat("`a"),
        '"<"': repeat("<"),
        '"<a "': repeat("<a "),
        '"&"': repeat("&"),
        '"&#"': repeat("&#"),
        '"> " (nested quotes)': repeat("> ", "deep"),
        '"- " (nested lists)': repeat("- ", "deep"),
        '"<div>" (nested HTML)': repeat("<div>", "deep"),
        '"[x]: y\\n" (references)': repeat("[x]: y\n"),
        "table, 5,000 columns": repeat("|a") + "\n" + "|-" * (length // 2),
    }


def best_time(render, text: str, repeat: int) -> tuple[float, int]:
    times, html = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        html = render(text)
        times.append(time.perf_counter() - start)
    return min(times), len(html)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal.text.markdown import render_markdown

    full, half = inputs(args.length), inputs(args.length // 2)
    print(f"{'input':32} {'chars':>7} {'best':>9} {'html':>8} {'x half':>7}")
    worst = 0.0
    for name, text in full.items():
        seconds, html_length = best_time(render_markdown, text, args.repeat)
        half_seconds, _ = best_time(render_markdown, half[name], args.repeat)
        ratio = seconds / half_seconds if half_seconds > 0.0005 else float("nan")
        worst = max(worst, seconds)
        print(
            f"{name:32} {len(text):7} {seconds * 1000:7.1f}ms {html_length:8}"
            f" {ratio:7.1f}"
        )
    print(f"slowest: {worst * 1000:.1f} ms (goal: under 1,000 ms)")


if __name__ == "__main__":
    main()
