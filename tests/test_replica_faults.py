"""`--faults chaos`: each fault does what replica/faults.py says, on the paths the plan names."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import lxml.html
import pytest

from replica.faults import FaultPlan
from replica.model import build_site
from replica.testing import fetch, fetch_ok, running

ARTICLES, SEED = 300, 7


@pytest.fixture(scope="module")
def chaos():
    """(base URL, in-process site, in-process plan) of a chaos replica."""
    site = build_site(ARTICLES, SEED)
    with running(articles=ARTICLES, seed=SEED, faults="chaos") as base:
        yield base, site, FaultPlan(site)


def paths_with(plan: FaultPlan, kind: str) -> list[str]:
    described = plan.describe()
    return [path for path, fault in {**described["first_attempt"], **described["pages"]}.items() if fault == kind]


def test_the_served_plan_is_the_documented_plan(chaos):
    base, site, plan = chaos
    assert json.loads(fetch(f"{base}/__replica__/faults").body) == plan.describe()
    for kind in ("slow", "reset", "truncated", "cut-html", "windows-1256", "malformed", "hostile"):
        assert paths_with(plan, kind), kind
    assert len(paths_with(plan, "windows-1256")) == 1
    listed = [p for p in site.posts if p.listed]
    erroring = [p for p in listed if plan.transient_error(p.path)]
    assert 0.02 < len(erroring) / len(listed) < 0.09


def test_transient_errors_clear_on_a_later_attempt(chaos):
    base, site, plan = chaos
    # Pages other tests fetch are left out: the attempt counter is per target and shared.
    targets = [p.path for p in site.posts if p.listed and plan.transient_error(p.path) and not plan.page_fault(p.id)][:6]
    targets.append(next(t for t in (f"/{y}/{m:02d}/" for y in range(1990, 2100) for m in range(1, 13)) if plan.transient_error(t)))
    for target in targets:
        status, failing_attempts = plan.transient_error(target)
        answers = [fetch(base + target).status for _ in range(failing_attempts + 1)]
        assert answers == [status] * failing_attempts + [200], target


def test_robots_txt_never_fails(chaos):
    base, _, _ = chaos
    assert [fetch(f"{base}/robots.txt").status for _ in range(5)] == [200] * 5


def test_slow_paths_outlast_a_timeout_once(chaos):
    base, _, plan = chaos
    path = paths_with(plan, "slow")[0]
    with pytest.raises(TimeoutError):
        fetch(base + path, timeout=1)
    assert fetch(base + path, timeout=5).status == 200


def test_reset_paths_drop_the_first_connection(chaos):
    base, _, plan = chaos
    path = paths_with(plan, "reset")[0]
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        fetch(base + path)
    assert fetch(base + path).status == 200


def test_truncated_paths_send_less_than_announced_once(chaos):
    base, _, plan = chaos
    path = paths_with(plan, "truncated")[0]
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    announced = int(response.getheader("Content-Length"))
    with pytest.raises(http.client.IncompleteRead) as error:
        response.read()
    connection.close()
    assert len(error.value.partial) < announced
    complete = fetch(base + path)
    assert complete.status == 200 and len(complete.body) == announced


def test_cut_html_paths_end_mid_page_once(chaos):
    base, _, plan = chaos
    path = paths_with(plan, "cut-html")[0]
    cut = fetch(base + path)
    whole = fetch(base + path)
    assert cut.status == whole.status == 200
    assert int(cut.headers["content-length"]) == len(cut.body) < len(whole.body)
    assert whole.body.startswith(cut.body) and b"</html>" not in cut.body


def test_one_page_is_windows_1256_declared_only_in_html(chaos):
    base, site, plan = chaos
    (path,) = paths_with(plan, "windows-1256")
    page = fetch_ok(base + path)
    assert page.headers["content-type"] == "text/html"
    assert b'<meta charset="windows-1256">' in page.body
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    tree = lxml.html.fromstring(page.body.decode("cp1256"))
    post = next(p for p in site.posts if p.path == path)
    assert tree.xpath("//meta[@property='og:title']/@content") == [post.title]


def test_malformed_pages_have_unclosed_and_stray_tags(chaos):
    base, site, plan = chaos
    path = paths_with(plan, "malformed")[0]
    page = fetch_ok(base + path).text
    assert page.count("<p") > page.count("</p>")
    assert "</h1></div>" in page
    post = next(p for p in site.posts if p.path == path)
    title = lxml.html.fromstring(page).xpath("//h1")[0].text_content()
    assert title == post.title


def test_hostile_pages_carry_scripts_handlers_and_markup_in_the_title(chaos):
    base, site, plan = chaos
    path = paths_with(plan, "hostile")[0]
    page = fetch_ok(base + path).text
    post = next(p for p in site.posts if p.path == path)
    tree = lxml.html.fromstring(page)
    (h1,) = tree.xpath("//h1")
    assert h1.xpath(".//span") and h1.text_content() == post.title
    content = tree.xpath("//div[contains(@class,'entry-content')]")[0]
    assert content.xpath(".//script") and content.xpath(".//style") and content.xpath(".//p[@onclick]")
    assert "<!-- wp:paragraph -->" in page
    assert tree.xpath("//a[starts-with(@href,'javascript:')]")


def test_no_faults_without_chaos(replica_url, replica_site):
    plan = FaultPlan(replica_site, enabled=False)
    assert plan.describe()["first_attempt"] == {} and plan.describe()["pages"] == {}
    assert all(fetch(replica_url + p.path).status == 200 for p in replica_site.posts[:40] if p.listed)
