"""A static, self-contained HTML report: latest stories with a coverage chart each, and deals.

No scripts and no external assets: the charts are inline SVG, so the file opens anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape

COLORS = {"en": "#1f6feb", "de": "#d9480f"}
WIDTH, HEIGHT, PAD = 520, 140, 34


def _t(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def coverage_chart(articles: list[dict]) -> str:
    """Cumulative articles over time, one step line per language, as an SVG element."""
    if not articles:
        return ""
    times = [a["reported_at"] for a in articles]
    start, end = min(times), max(times)
    span = max((end - start).total_seconds(), 60.0)
    by_lang: dict[str, list[datetime]] = defaultdict(list)
    for a in articles:
        by_lang[a["language"]].append(a["reported_at"])
    top = max(len(v) for v in by_lang.values())

    def x(t: datetime) -> float:
        return PAD + (WIDTH - 2 * PAD) * (t - start).total_seconds() / span

    def y(n: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * n / top

    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="articles over time by language">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#888"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#888"/>',
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="10">{escape(_t(start))}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">'
        f"{escape(_t(end))}</text>",
        f'<text x="{PAD - 6}" y="{PAD + 4}" font-size="10" text-anchor="end">{top}</text>',
    ]
    for i, (lang, stamps) in enumerate(sorted(by_lang.items())):
        color = COLORS.get(lang, "#555")
        points, count = [f"{x(start):.1f},{y(0):.1f}"], 0
        for t in sorted(stamps):
            points.append(f"{x(t):.1f},{y(count):.1f}")
            count += 1
            points.append(f"{x(t):.1f},{y(count):.1f}")
        points.append(f"{x(end):.1f},{y(count):.1f}")
        parts.append(
            f'<polyline class="series" data-language="{lang}" fill="none" stroke="{color}" '
            f'stroke-width="2" points="{" ".join(points)}"/>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD + 4}" y="{PAD + 12 * i + 4}" font-size="11" '
            f'fill="{color}">{lang} ({count})</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _story_section(story: dict, articles: list[dict]) -> str:
    titles = "".join(
        f"<li><b>{lang}</b>: {escape(story[f'title_{lang}'])}</li>"
        for lang in ("en", "de")
        if story.get(f"title_{lang}")
    )
    rows = "".join(
        f"<tr><td>{escape(_t(a['reported_at']))}</td><td>{escape(a['outlet'])}</td>"
        f'<td>{a["language"]}</td><td><a href="{escape(a["url"])}">{escape(a["title"])}</a>'
        "</td></tr>"
        for a in articles
    )
    facts = (
        f"{story['article_count']} articles · {story['outlet_count']} outlets · "
        f"{', '.join(story['languages'])} · organizations: "
        f"{escape(', '.join(story['organizations']) or '–')} · amounts: "
        f"{escape(', '.join(story['amounts']) or '–')}"
    )
    return (
        f'<section class="story" id="story-{story["story_id"]}">'
        f'<h2>{escape(story["title"])}</h2><p class="facts">{facts}</p><ul>{titles}</ul>'
        f"{coverage_chart(articles)}"
        f"<table><tr><th>reported</th><th>outlet</th><th>lang</th><th>title</th></tr>{rows}"
        "</table></section>"
    )


def render_report(
    stories: list[dict], timelines: list[dict], deals: list[dict], generated: datetime
) -> str:
    """The whole HTML page for the given story rows, their timelines and deal-tracker rows."""
    by_story: dict[int, list[dict]] = defaultdict(list)
    for a in timelines:
        by_story[a["story_id"]].append(a)
    deal_rows = "".join(
        f"<tr><td>{escape(d['deal'])}</td><td>{escape(d['story_title'] or '–')}</td>"
        f"<td>{d['alerts']}</td><td>{escape(', '.join(k for k in d['alert_kinds'] if k))}</td>"
        f"<td>{escape(_t(d['last_alert_at']))}</td></tr>"
        for d in deals
    )
    sections = "".join(_story_section(s, by_story[s["story_id"]]) for s in stories)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>newsflow report</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222 }}
h1 {{ margin-bottom: 0 }} .facts {{ color: #555 }} section.story {{ border-top: 1px solid #ddd;
padding-top: .5rem }} table {{ border-collapse: collapse; width: 100% }} td, th {{ text-align: left;
padding: 2px 6px; border-bottom: 1px solid #eee; vertical-align: top }}
</style></head>
<body>
<h1>newsflow</h1>
<p>Generated {escape(_t(generated))} · {len(stories)} stories</p>
<h2>Tracked deals</h2>
<table id="deals"><tr><th>deal</th><th>story</th><th>alerts</th><th>kinds</th><th>last alert</th>
</tr>{deal_rows}</table>
<h2>Latest stories</h2>
{sections}
</body></html>
"""
