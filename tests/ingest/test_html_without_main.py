"""An intranet page built of plain <div>s (no <main>, <article> or #content): its menus, trail
and news widgets are left out and its text is kept (readability picks the block)."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.html import load_html

PAGE = """<html><head><title>Expenses | PeopleNet</title></head><body>
<div class="consent-overlay"><p>This intranet uses analytics. Accept all analytics?</p></div>
<div class="masthead"><a href="/">PeopleNet home</a> | <a href="/people">Staff directory</a></div>
<ul class="megamenu"><li><a href="/hr">HR</a></li><li><a href="/finance">Finance</a></li>
<li><a href="/it">IT help</a></li><li><a href="/estates">Estates</a></li></ul>
<div class="trail">You are here: <a href="/">Home</a> &gt; Travel</div>
<div class="layout"><div class="leftnav"><a href="/a">Claims</a> <a href="/b">Rates</a></div>
<div class="pagecontent"><h1>Travel and subsistence expenses</h1>
<h4>Overview</h4><p>You can claim the actual cost of travel and subsistence when you travel on
official business away from your normal workplace. Claims must be submitted within 3 months of
the journey, with receipts for every item over five pounds.</p>
<h2>Overnight stays</h2><p>Hotel bookings must be made through the department's contracted
travel booking service. The maximum room rate is £150 a night in London and £100 a night
elsewhere, including breakfast.</p></div>
<div class="rightcol"><div class="widget"><h3>Latest news</h3><p>Canteen closed on Friday for
refurbishment.</p></div></div></div>
<div class="foot">Copyright PeopleNet</div></body></html>"""


def test_a_page_without_a_main_element_keeps_its_text_and_drops_menus_and_widgets(
        tmp_path: Path) -> None:
    path = tmp_path / "expenses.html"
    path.write_text(PAGE, encoding="utf-8")
    document = load_html(path)
    text = "\n".join(s.text for s in document.sections)
    assert "Claims must be submitted within 3 months" in text
    assert "£150 a night in London" in text
    for chrome in ("Accept all analytics", "Staff directory", "Estates", "You are here",
                   "Canteen closed", "Copyright"):
        assert chrome not in text, chrome
    assert document.title == "Travel and subsistence expenses"
    assert any(s.heading_path[-1:] == ("Overnight stays",) for s in document.sections)
