"""An offline, deterministic replica of the WordPress news site alghadalsoury.com.

`build_site(articles, seed, epoch)` generates the site; `Site.truth(base_url)` is its ground truth;
`python -m replica serve …` serves it over HTTP; `replica.testing.running(...)` runs that server as a
subprocess for tests. See README.md.
"""

from replica.model import Site, build_site

__all__ = ["Site", "build_site"]
