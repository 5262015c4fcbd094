"""The building blocks of the deck (python-pptx): a 16:9 slide with its title and takeaway,
text boxes, formatted tables and native PowerPoint charts the business can restyle.
"""

from __future__ import annotations

from collections.abc import Sequence

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(2.2)
BODY_WIDTH = WIDTH - 2 * MARGIN
BODY_HEIGHT = Inches(4.8)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x59, 0x59, 0x59)
LIGHT_GREY = RGBColor(0xD9, 0xD9, 0xD9)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ACCENT = RGBColor(0x2E, 0x75, 0xB6)
WARNING = RGBColor(0xC0, 0x50, 0x4D)
KPI_WIDTH, KPI_HEIGHT = Inches(2.9), Inches(1.7)
TITLE_ONLY_LAYOUT = 5
TITLE_LAYOUT = 0


def new_presentation() -> Presentation:
    """An empty 16:9 presentation on python-pptx's default template."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    return deck


def title_slide(deck, title: str, subtitle: str):
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    slide.shapes.title.text = title
    slide.shapes.title.left, slide.shapes.title.top, slide.shapes.title.width = MARGIN, Inches(2.2), BODY_WIDTH
    slide.shapes.title.height = Inches(1.4)
    body = slide.placeholders[1]
    body.left, body.top, body.width, body.height = MARGIN, Inches(3.8), BODY_WIDTH, Inches(1.8)
    body.text = subtitle
    for paragraph in body.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.color.rgb = Pt(18), GREY
    return slide


def content_slide(deck, title: str, takeaway: str):
    """A slide with its title on top and its takeaway sentence as the subtitle below it."""
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = MARGIN, Inches(0.3), BODY_WIDTH, Inches(0.8)
    heading.text = title
    paragraph = heading.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.runs[0].font.size, paragraph.runs[0].font.bold, paragraph.runs[0].font.color.rgb = Pt(28), True, NAVY
    text_box(slide, takeaway, MARGIN, Inches(1.1), BODY_WIDTH, Inches(1.05), size=13, color=GREY, name="Takeaway")
    return slide


def text_box(slide, text: str | Sequence[str], left, top, width, height, size: int = 14, color=GREY, bold: bool = False, name: str | None = None):
    """A word-wrapped text box; a sequence of strings gives one paragraph each."""
    shape = slide.shapes.add_textbox(left, top, width, height)
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    for index, line in enumerate([text] if isinstance(text, str) else text):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.color.rgb, run.font.bold = Pt(size), color, bold
    return shape


def missing(slide, text: str):
    """What is missing, in place of the slide's chart or table."""
    return text_box(slide, text, MARGIN, BODY_TOP + Inches(0.5), BODY_WIDTH, Inches(2), size=20, color=WARNING, name="Missing")


def kpi(slide, label: str, value: str, detail: str, left, top, width=KPI_WIDTH, height=KPI_HEIGHT):
    """A headline figure: its label, its value in large type, a line of detail."""
    box = slide.shapes.add_shape(1, left, top, width, height)  # MSO_SHAPE.RECTANGLE
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0xF2, 0xF5, 0xF9)
    box.line.color.rgb = LIGHT_GREY
    box.name = f"KPI {label}"
    frame = box.text_frame
    frame.word_wrap = True
    for index, (text, size, color, bold) in enumerate(((label, 13, GREY, False), (value, 28, NAVY, True), (detail, 11, GREY, False))):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.color.rgb, run.font.bold = Pt(size), color, bold
    return box


def table(slide, header: Sequence[str], rows: Sequence[Sequence[str]], left, top, width, height, widths: Sequence[float] | None = None, size=11):
    """A formatted table: a navy header row, then the rows as given (strings)."""
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, width, height)
    grid = shape.table
    if widths:
        total = sum(widths)
        for column, share in zip(grid.columns, widths, strict=True):
            column.width = Emu(int(width * share / total))
    for row_index, values in enumerate([list(header), *[list(row) for row in rows]]):
        grid.rows[row_index].height = Emu(int(height / (len(rows) + 1)))
        for column_index, value in enumerate(values):
            cell = grid.cell(row_index, column_index)
            cell.text = str(value)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(size)  # an empty cell's height follows its paragraph's font
                for run in paragraph.runs:
                    run.font.size = Pt(size)
                    run.font.bold = row_index == 0
            if row_index == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = NAVY
    return shape


def shade(cell, color: RGBColor, text_color: RGBColor | None = None, italic: bool = False) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = color
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            if text_color is not None:
                run.font.color.rgb = text_color
            run.font.italic = italic


def category_chart(
    slide,
    chart_type,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    left,
    top,
    width,
    height,
    number_format: str = "#,##0",
    title: str | None = None,
):
    """A native chart of `series` (name -> values) over `categories`, its values formatted."""
    chart_data = CategoryChartData(number_format=number_format)
    chart_data.categories = list(categories)
    for name, values in series.items():
        chart_data.add_series(name, [float(value) for value in values])
    chart = slide.shapes.add_chart(chart_type, left, top, width, height, chart_data).chart
    chart.font.size = Pt(11)
    if title:
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(13)
    else:
        chart.has_title = False
    if chart_type == XL_CHART_TYPE.DOUGHNUT:
        chart.has_legend = True
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.RIGHT, False
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = number_format, False
        return chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    axis = chart.value_axis
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = number_format, False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = LIGHT_GREY
    return chart


def label_bars(chart, number_format: str) -> None:
    """Show each bar's value at its end."""
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(10)


def colour_point(chart, series_index: int, point_index: int, color: RGBColor) -> None:
    point = chart.plots[0].series[series_index].points[point_index]
    point.format.fill.solid()
    point.format.fill.fore_color.rgb = color
