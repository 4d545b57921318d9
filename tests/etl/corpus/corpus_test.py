#!/usr/bin/python3
"""Differential test over the committed corpus (tests/etl/corpus/files/, made by tools/make_xlsx_corpus.sh):
every sheet of every workbook and every CSV file is loaded by the real sluice-etl in pass-through mode
(`step = []`) into SQLite, and compared cell by cell with pandas + openpyxl under the normalisation rules of
README.md; each file is loaded again with --batch-rows 1 and must give the identical table.

Fails on any difference that neither a rule nor a (file, class) line of known_failures.txt explains, and on a
line of known_failures.txt that no longer fails (so the list only shrinks). Prints the counts at the end.

Run by ctest (integration.etl_corpus) with SLUICE_ETL; by hand:
  SLUICE_ETL=build/sluice-etl tests/etl/corpus/corpus_test.py [FILE...]
  SLUICE_ETL=build/sluice-etl tests/etl/corpus/corpus_test.py --print-known   (the pairs that fail now, by
  class: what known_failures.txt should hold; unclassified failures are never printed there)
"""
import glob
import warnings
import os
import sys
import tempfile
from collections import Counter, defaultdict

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import sluice_compare as sc  # noqa: E402


def load_known(path):
    known = defaultdict(set)
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            name, klass = line.split()
            if name != "roundtrip":  # roundtrip_test.py's lines
                known[name].add(klass)
    return known


def main():
    warnings.filterwarnings("ignore", module="openpyxl")
    source = os.environ.get("SLUICE_SOURCE_DIR", os.path.abspath(os.path.join(here, "../../..")))
    etl = os.environ.get("SLUICE_ETL", os.path.join(os.environ.get("SLUICE_BUILD_DIR", source + "/build"),
                                                    "sluice-etl"))
    if not os.access(etl, os.X_OK):
        sys.exit(f"corpus_test: FAIL: no sluice-etl at '{etl}' (set SLUICE_ETL)")
    args = [a for a in sys.argv[1:] if a != "--print-known"]
    print_known = len(args) != len(sys.argv) - 1
    files = args or sorted(glob.glob(os.path.join(here, "files", "*.xlsx")) +
                                   glob.glob(os.path.join(here, "files", "*.csv")))
    known = load_known(os.path.join(here, "known_failures.txt"))
    res = sc.Result()
    sheets = 0
    producers = Counter()
    known_hits, unexpected, seen_known = [], [], set()
    with tempfile.TemporaryDirectory(prefix="sluice-corpus-") as work:
        for path in files:
            name = os.path.basename(path)
            producers[name.split("_", 1)[0]] += 1
            before = len(res.failures)
            sheets += sc.compare_file(etl, path, work, res)
            for f in res.failures[before:]:
                if f.klass in known.get(name, ()):
                    known_hits.append(f)
                    seen_known.add((name, f.klass))
                else:
                    unexpected.append(f)
    stale = [(n, k) for n, ks in known.items() for k in ks if (n, k) not in seen_known and
             (not args or any(os.path.basename(p) == n for p in files))]

    if print_known:
        # what known_failures.txt would list now: the classified failures, by file
        pairs = sorted({(f.where.split(":")[0].split("!")[0], f.klass) for f in known_hits + unexpected
                        if f.klass != sc.CLASS_OTHER})
        print("\n".join(f"{n} {k}" for n, k in pairs))
        return 0
    for f in known_hits:
        print(f"known (class {f.klass}): {f.where}: {f.what}")
    for f in unexpected:
        print(f"FAIL (class {f.klass}): {f.where}: {f.what}", file=sys.stderr)
    for n, k in stale:
        print(f"FAIL: known_failures.txt lists {n} class {k}, which no longer fails: remove the line",
              file=sys.stderr)
    print(f"corpus_test: producers {dict(sorted(producers.items()))}")
    print(f"corpus_test: {len(files)} files, {sheets} sheets, {res.cells} cells compared, {res.identical} identical, "
          f"{sum(res.rules.values())} deliberate differences, {len(known_hits)} known failures "
          f"({len({(os.path.basename(f.where.split(':')[0].split('!')[0]), f.klass) for f in known_hits})} "
          f"file/class pairs), {len(unexpected)} failures, {len(stale)} stale known_failures lines")
    print("corpus_test: deliberate differences by rule: " +
          ", ".join(f"{r} {res.rules[r]}" for r in sc.RULES if res.rules[r]))
    if unexpected or stale:
        print("corpus_test: FAIL", file=sys.stderr)
        return 1
    print("corpus_test: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
