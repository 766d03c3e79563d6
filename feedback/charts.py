"""Small bar charts as server-rendered SVG: no JavaScript, readable without CSS (each bar
carries its value as text and a <title>), coloured by CSS classes so that the admin's
light and dark themes both apply (see static/tvr_admin/admin.css)."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .selectors import Bar

WIDTH, HEIGHT = 360, 150
TOP, BOTTOM, SIDE = 18, 22, 4  # room for the values above and the labels below


def bar_chart_svg(*, bars: Sequence[Bar], label: str, unit: str = "") -> SafeString:
    """A vertical bar chart; `label` names it for screen readers."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / max(len(bars), 1)
    bar_width = slot * 0.7
    peak = max((bar.value for bar in bars), default=0) or 1
    shapes = []
    for n, bar in enumerate(bars):
        x = SIDE + n * slot + (slot - bar_width) / 2
        height = plot_height * bar.value / peak
        y = TOP + plot_height - height
        centre = x + bar_width / 2
        title = f"{bar.label}: {bar.value}{unit}" + (f" ({bar.hint})" if bar.hint else "")
        shapes.append(
            (
                f"bar bar-{bar.tone}" if bar.tone else "bar",
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{max(height, 0.5):.1f}",
                title,
                f"{centre:.1f}",
                f"{y - 4:.1f}",
                bar.value,
                f"{HEIGHT - 6}",
                bar.label,
            )
        )
    body = format_html_join(
        "",
        '<g class="{0}"><rect x="{1}" y="{2}" width="{3}" height="{4}" rx="2"><title>{5}'
        '</title></rect><text class="value" x="{6}" y="{7}" text-anchor="middle">{8}</text>'
        '<text class="label" x="{6}" y="{9}" text-anchor="middle">{10}</text></g>',
        shapes,
    )
    return format_html(
        '<svg class="tvr-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><line class="axis" x1="{}" x2="{}" y1="{}" '
        'y2="{}"/>{}</svg>',
        WIDTH,
        HEIGHT,
        label,
        SIDE,
        WIDTH - SIDE,
        HEIGHT - BOTTOM,
        HEIGHT - BOTTOM,
        body,
    )
