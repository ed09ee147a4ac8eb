"""Documentation links stay inside the repository and point at files that exist (README.md, docs/,
examples/): a link into a folder outside the clone breaks for every reader of it."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_resolves_inside_the_repository():
    bad = []
    pages = [os.path.join(ROOT, "README.md")] + glob.glob(os.path.join(ROOT, "docs", "*.md")) + \
        glob.glob(os.path.join(ROOT, "examples", "*.md"))
    for page in pages:
        for number, line in enumerate(open(page), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue  # web addresses, anchors
                path = os.path.realpath(os.path.join(os.path.dirname(page), target.split("#")[0]))
                inside = os.path.commonpath([path, ROOT]) == ROOT
                if not inside or not os.path.exists(path):
                    bad.append(f"{os.path.relpath(page, ROOT)}:{number}: {target} "
                               f"({'outside the repository' if not inside else 'missing'})")
    assert not bad, "\n".join(bad)
    assert len(pages) > 5
