"""`make bench`: speed, scale and memory figures of the crawler, each beside a baseline measured in the same run.

`python -m bench [--quick]` runs every figure of issue 8 (crawl speed against `scrapy bench`, the
share of requests an unchanged re-run repeats, pipeline cost with 100k vs 1k articles stored, peak
memory of a 20,000-article crawl, Datasette search latency over 100k articles, speed and accuracy
against trafilatura) and writes `bench/RESULTS.md`. `--quick` runs the same harness with tiny sizes
(the CI smoke run; its numbers mean nothing).
"""
