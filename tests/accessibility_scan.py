"""axe-core, the accessibility engine, run in a page the browser tests opened (a lesson in JupyterLab, a handout).

axe-core comes from the npm registry, pinned in ``tests/axe/package.json`` and its lock file, and is
installed with ``npm ci --prefix tests/axe`` (``.ci/run`` does that, with Debian's Node); nothing is
fetched from a CDN, and the page loads the installed file. A scan covers only what this module
renders (the lesson's text and its outputs, or a handout), not JupyterLab's own interface, and
reports the violations of impact "serious" or "critical": the ones that stop a reader.
"""

from __future__ import annotations

from pathlib import Path

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
#: What is scanned in a lesson open in JupyterLab: the rendered Markdown cells and every output.
LESSON_CONTENT = [
    "[data-casework-notebook] .jp-MarkdownCell .jp-RenderedMarkdown",
    "[data-casework-notebook] .jp-OutputArea-output",
]


def unavailable() -> str | None:
    """Why axe-core cannot be loaded, or None when it can."""
    if not AXE_SCRIPT.exists():
        return f"axe-core is not installed ({AXE_SCRIPT} is missing): run `npm ci --prefix tests/axe` (Debian: apt-get install nodejs npm)"
    return None


# Runs axe on the elements the selectors match (each as its own context, so an empty selector is
# no error), with the WCAG 2.x A and AA rules and axe's best practices; returns the blocking violations.
_SCAN = """async ([include, blocking]) => {
  const present = include.filter(selector => document.querySelector(selector));
  if (!present.length) throw new Error(`nothing to scan: no element matches ${include.join(', ')}`);
  const results = await axe.run({include: present.map(selector => [selector])},
                                {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                                 resultTypes: ['violations']});
  return {
    scanned: present.flatMap(selector => [...document.querySelectorAll(selector)]).length,
    violations: results.violations.filter(v => blocking.includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary})),
      count: v.nodes.length,
    })),
  };
}"""


def scan(page, include: list[str]) -> dict:
    """axe-core's serious and critical violations in the elements ``include``'s selectors match.

    Returns ``scanned`` (how many elements the scan covered) and ``violations`` (id, impact, help,
    the first nodes and how many there are).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(_SCAN, [include, list(BLOCKING)])


def report(violations: list[dict]) -> str:
    """The violations, one paragraph each, for an assertion message."""
    return "\n\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}), {v['count']} element(s):\n"
        + "\n".join(f"  {n['target']}: {n['html']}\n    {n['summary']}" for n in v["nodes"])
        for v in violations
    )
