// The heat map and its colour legend (overview.hpp). Tiles are laid out in the grid whose cells are
// largest for the widget's size; gaps, borders and labels are sized from the font's metrics.
#include "twin/gui/node_data.hpp"
#include "twin/gui/overview.hpp"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>

namespace twin::gui {

namespace {

// A diverging blue -> yellow -> red scale (ColorBrewer RdYlBu, reversed), readable in grey too.
constexpr std::array<std::array<int, 3>, 6> kStops{
    {{49, 54, 149}, {116, 173, 209}, {224, 243, 248}, {254, 224, 144}, {244, 109, 67}, {165, 0, 38}}};
const QColor kNoData(200, 200, 200);

QColor along(double t) {
    t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), kStops.size() - 2);
    const double f = t - static_cast<double>(i);
    const auto mix = [&](int c) {
        return static_cast<int>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f));
    };
    return {mix(0), mix(1), mix(2)};
}

QString tooltip(const Tile& t) {
    if (t.level == Level::Nodes) {
        return node_text(t, t.clock);
    }
    QString s =
        QString("<b>%1</b><br>%2 GPUs (%3 ran ranks) in %4 rack%5<br>IT power: mean %6, peak %7<br>"
                "GPU compute share: %8<br>Throttle clock: %9")
            .arg(t.name)
            .arg(t.gpus)
            .arg(t.ranks)
            .arg(t.racks)
            .arg(t.racks == 1 ? "" : "s")
            .arg(format_value(t.power_mean_w, ColourMetric::Power), format_value(t.power_peak_w, ColourMetric::Power),
                 format_value(t.busy, ColourMetric::Busy), format_value(t.clock, ColourMetric::Clock));
    s += t.load ? QString("<br>Peak / limit (worst rack): %1").arg(format_value(*t.load, ColourMetric::Load))
                : QString("<br>No rack power limit or cooling capacity");
    if (t.level != Level::Nodes) {
        s += t.level == Level::Racks ? "<br><i>Click for its nodes</i>" : "<br><i>Click to expand</i>";
    }
    return s;
}

} // namespace

QColor heat_colour(double v, ColourMetric m, std::pair<double, double> range) {
    const double span = range.second - range.first;
    double t = span > 0 ? (v - range.first) / span : 0.0;
    if (m == ColourMetric::Clock) {
        t = 1.0 - t;
    }
    return along(t);
}

HeatMap::HeatMap(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(fontMetrics().height() * 12, fontMetrics().height() * 8);
}

QSize HeatMap::sizeHint() const {
    return {fontMetrics().height() * 40, fontMetrics().height() * 26};
}

void HeatMap::set_tiles(const std::vector<Tile>* tiles, ColourMetric m, std::pair<double, double> range,
                        std::set<int> highlighted, const RackSet* set, std::set<int> racks_highlighted) {
    tiles_ = tiles;
    set_ = set;
    racks_highlighted_ = std::move(racks_highlighted);
    metric_ = m;
    range_ = range;
    highlighted_ = std::move(highlighted);
    current_ = std::clamp(current_, 0, std::max(0, tiles_ ? static_cast<int>(tiles_->size()) - 1 : 0));
    update();
}

int HeatMap::columns() const {
    const int n = tiles_ ? static_cast<int>(tiles_->size()) : 0;
    if (n == 0) {
        return 1;
    }
    int best = 1;
    double best_cell = 0.0;
    for (int c = 1; c <= n; ++c) {
        const int rows = (n + c - 1) / c;
        const double cell = std::min(width() / static_cast<double>(c), height() / static_cast<double>(rows) * 1.6);
        if (cell > best_cell) {
            best_cell = cell;
            best = c;
        }
    }
    return best;
}

QRectF HeatMap::tile_rect(int i) const {
    const int n = tiles_ ? static_cast<int>(tiles_->size()) : 0;
    if (i < 0 || i >= n) {
        return {};
    }
    const int c = columns();
    const int rows = (n + c - 1) / c;
    const double w = width() / static_cast<double>(c);
    const double h = height() / static_cast<double>(rows);
    const double gap = std::max(1.0, fontMetrics().height() / 8.0);
    return {(i % c) * w + gap / 2, (i / c) * h + gap / 2, w - gap, h - gap};
}

int HeatMap::tile_at(QPointF p) const {
    const int n = tiles_ ? static_cast<int>(tiles_->size()) : 0;
    for (int i = 0; i < n; ++i) {
        if (tile_rect(i).contains(p)) {
            return i;
        }
    }
    return -1;
}

void HeatMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (!tiles_ || tiles_->empty()) {
        p.drawText(rect(), Qt::AlignCenter, "No racks in this result.");
        return;
    }
    const QFontMetricsF fm(font());
    const double line = fm.height();
    for (int i = 0; i < static_cast<int>(tiles_->size()); ++i) {
        const Tile& t = (*tiles_)[static_cast<std::size_t>(i)];
        const QRectF r = tile_rect(i);
        const auto v = tile_value(t, metric_);
        const QColor fill = v ? heat_colour(*v, metric_, range_) : kNoData;
        p.fillRect(r, fill);
        // Labels where they fit: the name, and the value beside it when there is room; below them,
        // the tile's racks when the tile is large enough for them.
        const QString value =
            v ? format_value(*v, metric_) : QString(t.level == Level::Nodes ? "per rack" : "no limit");
        const double pad = line / 4;
        const bool room = r.height() >= 4 * line && r.width() >= 4 * line;
        const bool racks_inside = set_ && t.level != Level::Racks && t.level != Level::Nodes && room;
        const bool gpus_inside = t.level == Level::Nodes && !t.gpu_shares.empty() && room;
        if (r.width() >= fm.horizontalAdvance(t.name) + 2 * pad && r.height() >= line + pad) {
            p.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
            const QString both = t.name + "  " + value;
            if (racks_inside || gpus_inside) {
                const bool fits = r.width() >= fm.horizontalAdvance(both) + 2 * pad;
                p.drawText(QRectF(r.left() + pad, r.top(), r.width() - 2 * pad, line + pad),
                           Qt::AlignLeft | Qt::AlignVCenter, fits ? both : t.name);
            } else {
                const bool two = r.height() >= 2 * line + 2 * pad && r.width() >= fm.horizontalAdvance(value) + 2 * pad;
                p.drawText(r.adjusted(pad, pad, -pad, -pad), Qt::AlignCenter, two ? t.name + "\n" + value : t.name);
            }
        }
        if (racks_inside) {
            paint_racks(p, t, r.adjusted(pad, line + pad, -pad, -pad));
        }
        if (gpus_inside) {
            paint_gpus(p, t, r.adjusted(pad, line + pad, -pad, -pad));
        }
        if (highlighted_.count(i)) {
            p.setPen(QPen(QColor(255, 0, 200), std::max(2.0, line / 5)));
            p.drawRect(r.adjusted(line / 10, line / 10, -line / 10, -line / 10));
        }
        if (i == current_ && hasFocus()) {
            p.setPen(QPen(palette().color(QPalette::WindowText), 1, Qt::DashLine));
            p.drawRect(r.adjusted(1, 1, -1, -1));
        }
    }
}

// The GPUs of a node as a grid of cells: coloured by their compute share when the map shows
// utilisation, else by the node's value (the clock is the rack's; power and load are per rack),
// labelled "gpu3" and the share where they fit.
void HeatMap::paint_gpus(QPainter& p, const Tile& t, QRectF area) const {
    const int n = static_cast<int>(t.gpu_shares.size());
    const int cols = n <= 4 ? n : (n + 1) / 2;
    const int rows = (n + cols - 1) / cols;
    const double cw = area.width() / cols, ch = area.height() / rows;
    const QFontMetricsF fm(font());
    const auto node_value = tile_value(t, metric_);
    p.fillRect(area, palette().color(QPalette::Base));
    for (int g = 0; g < n; ++g) {
        const double busy = t.gpu_shares[static_cast<std::size_t>(g)].first;
        const auto v = metric_ == ColourMetric::Busy ? std::optional<double>(busy) : node_value;
        const QRectF cell(area.left() + (g % cols) * cw, area.top() + (g / cols) * ch, cw - 1, ch - 1);
        const QColor fill = v ? heat_colour(*v, metric_, range_) : kNoData;
        p.fillRect(cell, fill);
        const QString label = QString("gpu%1\n%2 %").arg(g).arg(100.0 * busy, 0, 'f', 0);
        if (cell.height() >= 2 * fm.height() && cell.width() >= fm.horizontalAdvance("gpu00") + 4) {
            p.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
            p.drawText(cell, Qt::AlignCenter, label);
        }
    }
}

// The racks of a hall or row as a grid of small cells, each in its own colour (a frame around them
// so they stand apart from the tile's colour).
void HeatMap::paint_racks(QPainter& p, const Tile& t, QRectF area) const {
    const int n = static_cast<int>(t.members.size());
    if (n == 0 || area.width() <= 0 || area.height() <= 0) {
        return;
    }
    int best = 1;
    double best_cell = 0.0;
    for (int c = 1; c <= n; ++c) {
        const int rows = (n + c - 1) / c;
        const double cell = std::min(area.width() / c, area.height() / rows);
        if (cell > best_cell) {
            best_cell = cell;
            best = c;
        }
    }
    const int rows = (n + best - 1) / best;
    const double cw = area.width() / best, ch = area.height() / rows;
    p.fillRect(area, palette().color(QPalette::Base));
    const double gap = cw > 4 && ch > 4 ? 1.0 : 0.0;
    for (int k = 0; k < n; ++k) {
        const auto& rack = set_->racks[static_cast<std::size_t>(t.members[static_cast<std::size_t>(k)])];
        const auto v = rack_value(rack, metric_);
        const QRectF cell(area.left() + (k % best) * cw, area.top() + (k / best) * ch, cw - gap, ch - gap);
        const QColor fill = v ? heat_colour(*v, metric_, range_) : kNoData;
        p.fillRect(cell, fill);
        if (racks_highlighted_.count(t.members[static_cast<std::size_t>(k)])) {
            const double w = std::max(1.0, std::min(cell.width(), cell.height()) / 5);
            p.setPen(QPen(QColor(255, 0, 200), w));
            p.drawRect(cell.adjusted(w / 2, w / 2, -w / 2, -w / 2));
        }
        // Rack number (and value) where the cell has room for them.
        const QFontMetricsF fm(font());
        const QString name = QString::number(rack.rack);
        if (cell.width() >= fm.horizontalAdvance(name) + fm.height() / 2 && cell.height() >= fm.height()) {
            const QString value = v ? format_value(*v, metric_) : QString();
            const bool two =
                cell.height() >= 2 * fm.height() && cell.width() >= fm.horizontalAdvance(value) + fm.height() / 2;
            p.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
            p.drawText(cell, Qt::AlignCenter, two ? "rack " + name + "\n" + value : name);
        }
    }
}

void HeatMap::mousePressEvent(QMouseEvent* e) {
    const int i = tile_at(e->position());
    if (i >= 0 && e->button() == Qt::LeftButton) {
        current_ = i;
        emit activated(i);
    } else if (e->button() == Qt::BackButton || e->button() == Qt::RightButton) {
        emit back();
    }
}

void HeatMap::keyPressEvent(QKeyEvent* e) {
    const int n = tiles_ ? static_cast<int>(tiles_->size()) : 0;
    const int c = columns();
    int next = current_;
    switch (e->key()) {
    case Qt::Key_Left:
        next -= 1;
        break;
    case Qt::Key_Right:
        next += 1;
        break;
    case Qt::Key_Up:
        next -= c;
        break;
    case Qt::Key_Down:
        next += c;
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (n > 0) {
            emit activated(current_);
        }
        return;
    case Qt::Key_Backspace:
    case Qt::Key_Escape:
        emit back();
        return;
    default:
        QWidget::keyPressEvent(e);
        return;
    }
    if (next >= 0 && next < n) {
        current_ = next;
        update();
    }
}

bool HeatMap::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* h = static_cast<QHelpEvent*>(e);
        const int i = tile_at(h->pos());
        if (i >= 0) {
            QToolTip::showText(h->globalPos(), tooltip((*tiles_)[static_cast<std::size_t>(i)]), this,
                               tile_rect(i).toAlignedRect());
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(e);
}

ColourLegend::ColourLegend(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ColourLegend::set(ColourMetric m, std::pair<double, double> range) {
    metric_ = m;
    range_ = range;
    updateGeometry();
    update();
}

QSize ColourLegend::sizeHint() const {
    const int line = fontMetrics().height();
    return {line * 30, line * 3};
}

void ColourLegend::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QFontMetricsF fm(font());
    const double line = fm.height();
    const QString title = metric_name(metric_);
    const QString none = "no data / no limit";
    const double title_w = fm.horizontalAdvance(title) + line;
    const double none_w = fm.horizontalAdvance(none) + line * 2;
    const double lo_pad = fm.horizontalAdvance(format_value(range_.second, metric_)) / 2 + line / 2;
    const QRectF bar(title_w + lo_pad, line * 0.3, std::max(line, width() - title_w - none_w - 2 * lo_pad), line);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRectF(0, 0, title_w, bar.bottom() + line / 2), Qt::AlignLeft | Qt::AlignVCenter, title);
    const int steps = std::max(2, static_cast<int>(bar.width()));
    for (int k = 0; k < steps; ++k) {
        const double v = range_.first + (range_.second - range_.first) * k / (steps - 1);
        p.fillRect(QRectF(bar.left() + bar.width() * k / steps, bar.top(), bar.width() / steps + 1, bar.height()),
                   heat_colour(v, metric_, range_));
    }
    p.drawRect(bar);
    for (int k = 0; k <= 4; ++k) {
        const double v = range_.first + (range_.second - range_.first) * k / 4;
        const double x = bar.left() + bar.width() * k / 4;
        p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + line / 4));
        const QString label = format_value(v, metric_);
        const double w = fm.horizontalAdvance(label);
        p.drawText(QRectF(x - w / 2 - 2, bar.bottom() + line / 4, w + 4, line), Qt::AlignCenter, label);
    }
    const QRectF swatch(width() - none_w + line / 2, bar.top(), line, line);
    p.fillRect(swatch, kNoData);
    p.drawRect(swatch);
    p.drawText(QRectF(swatch.right() + line / 4, 0, none_w, bar.bottom() + line / 2), Qt::AlignLeft | Qt::AlignVCenter,
               none);
}

} // namespace twin::gui
