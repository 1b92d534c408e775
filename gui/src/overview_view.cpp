// The cluster overview view and its tile table (overview.hpp).
#include "twin/core/error.hpp"
#include "twin/gui/overview.hpp"
#include "twin/gui/views.hpp"

#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace twin::gui {

TileModel::TileModel(QObject* parent) : QAbstractTableModel(parent) {}

void TileModel::set_tiles(std::vector<Tile> tiles, std::set<int> highlighted) {
    beginResetModel();
    tiles_ = std::move(tiles);
    highlighted_ = std::move(highlighted);
    endResetModel();
}

int TileModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(tiles_.size());
}

int TileModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TileModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Tile& t = tiles_[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    if (role == Qt::DisplayRole || role == Qt::UserRole) {
        const bool sort = role == Qt::UserRole;
        switch (c) {
        case Name:
            return sort ? QVariant(t.id) : QVariant(t.name);
        case Gpus:
            return t.gpus;
        case Power:
            if (t.level == Level::Nodes) { // power is accounted per rack
                return sort ? QVariant(-1.0) : QVariant(QString("\u2014"));
            }
            return sort ? QVariant(t.power_mean_w) : QVariant(format_value(t.power_mean_w, ColourMetric::Power));
        case Busy:
            return sort ? QVariant(t.busy) : QVariant(format_value(t.busy, ColourMetric::Busy));
        case Load:
            if (!t.load) {
                return sort ? QVariant(-1.0) : QVariant(QString("\u2014"));
            }
            return sort ? QVariant(*t.load) : QVariant(format_value(*t.load, ColourMetric::Load));
        case Clock:
            return sort ? QVariant(t.clock) : QVariant(format_value(t.clock, ColourMetric::Clock));
        default:
            return {};
        }
    }
    if (role == Qt::FontRole && highlighted_.count(index.row())) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole && c != Name) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant TileModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) {
        return QAbstractTableModel::headerData(section, o, role);
    }
    static const char* const kNames[] = {"Tile", "GPUs", "IT power", "Compute", "Peak/limit", "Clock"};
    return QString::fromUtf8(kNames[section]);
}

OverviewView::OverviewView(const LoadedResult& r, QWidget* parent)
    : QWidget(parent), set_(load_racks(r)), path_(r.path), model_(new TileModel(this)), map_(new HeatMap(this)),
      legend_(new ColourLegend(this)), metric_box_(new QComboBox(this)), group_box_(new QComboBox(this)),
      back_(new QPushButton("\u2190 &Back", this)), crumbs_(new QLabel(this)), detail_(new QLabel(this)),
      highlight_(new QLabel(this)) {
    setObjectName("overview_view");
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    bar->addWidget(back_);
    bar->addWidget(crumbs_, 1);
    bar->addWidget(new QLabel("&Group racks by:", this));
    static_cast<QLabel*>(bar->itemAt(bar->count() - 1)->widget())->setBuddy(group_box_);
    group_box_->addItem("facility row", static_cast<int>(Level::Rows));
    group_box_->addItem("fabric pod", static_cast<int>(Level::Pods));
    group_box_->setObjectName("overview_group");
    bar->addWidget(group_box_);
    bar->addWidget(new QLabel("&Colour by:", this));
    static_cast<QLabel*>(bar->itemAt(bar->count() - 1)->widget())->setBuddy(metric_box_);
    for (auto m : {ColourMetric::Busy, ColourMetric::Power, ColourMetric::Load, ColourMetric::Clock}) {
        metric_box_->addItem(metric_name(m), static_cast<int>(m));
    }
    metric_box_->addItem("Temperature (not modelled per rack)");
    metric_box_->setItemData(metric_box_->count() - 1, 0, Qt::UserRole - 1); // disabled
    bar->addWidget(metric_box_);
    layout->addLayout(bar);
    auto* note = new QLabel(QString("<b>%1</b>: cluster overview. %2").arg(r.label.toHtmlEscaped(), set_.note), this);
    note->setWordWrap(true);
    layout->addWidget(note);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(map_);
    table_ = table_for(model_, split, true);
    table_->setObjectName("overview_table");
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(table_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    layout->addWidget(legend_);
    for (auto* l : {detail_, highlight_}) {
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(l);
    }

    connect(map_, &HeatMap::activated, this, &OverviewView::drill);
    connect(map_, &HeatMap::back, this, &OverviewView::up);
    connect(back_, &QPushButton::clicked, this, &OverviewView::up);
    connect(table_, &QTableView::activated, this, [this](const QModelIndex& i) {
        auto* proxy = qobject_cast<QSortFilterProxyModel*>(table_->model());
        drill(proxy ? proxy->mapToSource(i).row() : i.row());
    });
    connect(crumbs_, &QLabel::linkActivated, this, [this](const QString& link) {
        if (link == "top") {
            go_to(Level::Halls, -1, -1);
        } else if (link.startsWith("hall:")) {
            go_to(group_, link.mid(5).toInt(), -1);
        } else if (link.startsWith("group:")) {
            go_to(Level::Racks, hall_, link.mid(6).toInt());
        }
    });
    connect(group_box_, &QComboBox::activated, this, [this](int i) {
        const auto by = static_cast<Level>(group_box_->itemData(i).toInt());
        QSettings().setValue("overview/group", static_cast<int>(by));
        set_grouping(by);
    });
    connect(metric_box_, &QComboBox::activated, this, [this](int i) {
        const auto m = static_cast<ColourMetric>(metric_box_->itemData(i).toInt());
        QSettings().setValue("overview/metric", static_cast<int>(m));
        set_metric(m);
    });
    const int saved = QSettings().value("overview/metric", 0).toInt();
    metric_ = static_cast<ColourMetric>(std::clamp(saved, 0, 3));
    metric_box_->setCurrentIndex(static_cast<int>(metric_));
    group_ =
        QSettings().value("overview/group", 0).toInt() == static_cast<int>(Level::Pods) ? Level::Pods : Level::Rows;
    group_box_->setCurrentIndex(group_ == Level::Pods ? 1 : 0);
    group_box_->setEnabled(set_.complete);
    // One hall: start at its rows (or pods).
    const auto halls = tiles_at(set_, Level::Halls, -1, -1);
    if (set_.complete && halls.size() == 1) {
        go_to(group_, halls.front().id, -1);
    } else {
        go_to(Level::Halls, -1, -1);
    }
}

void OverviewView::set_grouping(Level by) {
    group_ = by == Level::Pods ? Level::Pods : Level::Rows;
    group_box_->setCurrentIndex(group_ == Level::Pods ? 1 : 0);
    if (level_ == Level::Halls || !set_.complete) {
        refresh();
    } else {
        go_to(group_, hall_, -1); // a row's racks are not a pod's: back to the hall
    }
}

void OverviewView::set_metric(ColourMetric m) {
    metric_ = m;
    metric_box_->setCurrentIndex(static_cast<int>(m));
    refresh();
}

std::set<int> OverviewView::highlighted_tiles() const {
    std::set<int> out;
    const std::set<int> racks(highlight_racks_.begin(), highlight_racks_.end());
    const auto& tiles = model_->tiles();
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        for (int m : tiles[i].members) {
            if (racks.count(m)) {
                out.insert(static_cast<int>(i));
                break;
            }
        }
    }
    return out;
}

void OverviewView::refresh() {
    auto tiles = level_ == Level::Nodes ? node_tiles(set_, nodes_ ? *nodes_ : NodeSet{}, rack_)
                                        : tiles_at(set_, level_, hall_, row_, group_);
    model_->set_tiles(std::move(tiles), {});
    const auto hl = highlighted_tiles();
    model_->set_tiles(model_->tiles(), hl);
    map_->set_tiles(&model_->tiles(), metric_, metric_range(set_, metric_), hl, set_.complete ? &set_ : nullptr,
                    std::set<int>(highlight_racks_.begin(), highlight_racks_.end()));
    legend_->set(metric_, metric_range(set_, metric_));
    // The table as wide as its columns (they change with the level), so none is cut.
    table_->resizeColumnsToContents();
    table_->setMinimumWidth(table_->horizontalHeader()->length() + table_->verticalScrollBar()->sizeHint().width() +
                            2 * table_->frameWidth());
    back_->setEnabled(set_.complete && level_ != Level::Halls);
    crumbs_->setText(breadcrumb());
}

QString OverviewView::breadcrumb() const {
    if (!set_.complete) {
        return "hottest racks";
    }
    const QString sep = " \u203a ";
    const QString group = group_ == Level::Pods ? (row_ < 0 ? QString("no pod") : QString("pod %1").arg(row_))
                                                : QString("row %1").arg(row_);
    QString s = level_ == Level::Halls ? QString("cluster") : QString("<a href='top'>cluster</a>");
    if (level_ == Level::Rows || level_ == Level::Pods) {
        s += sep + QString("hall %1").arg(hall_);
    } else if (level_ == Level::Racks) {
        s += sep + QString("<a href='hall:%1'>hall %1</a>").arg(hall_) + sep + group;
    } else if (level_ == Level::Nodes) {
        s += sep + QString("<a href='hall:%1'>hall %1</a>").arg(hall_) + sep +
             QString("<a href='group:%1'>%2</a>").arg(row_).arg(group) + sep +
             QString("rack %1").arg(set_.racks[static_cast<std::size_t>(rack_)].rack);
    }
    return s;
}

void OverviewView::go_to(Level level, int hall, int group, int rack) {
    level_ = level;
    hall_ = level == Level::Halls ? -1 : hall;
    row_ = level == Level::Racks || level == Level::Nodes ? group : -1;
    rack_ = level == Level::Nodes ? rack : -1;
    detail_->clear();
    refresh();
}

void OverviewView::show_rack(const RackInfo& r) {
    QString limit = r.power_limit_w ? format_value(*r.power_limit_w, ColourMetric::Power) : QString("none");
    QString cool = r.cooling_capacity_w ? format_value(*r.cooling_capacity_w, ColourMetric::Power) : "unlimited";
    if (!set_.complete) {
        detail_->setText(QString("<b>rack %1</b>: IT power mean %2, peak %3 (limit %4, cooling %5).")
                             .arg(r.rack)
                             .arg(format_value(r.it_mean_w, ColourMetric::Power),
                                  format_value(r.it_peak_w, ColourMetric::Power), limit, cool));
        return;
    }
    QString text =
        QString("<b>rack %1</b> (hall %2, row %3, CDU %4, fabric pod %5): nodes %6\u2013%7, %8 GPUs, %9 ran "
                "ranks. IT power mean %10, peak %11 (limit %12, cooling %13). GPU time: compute %14, "
                "communication %15, idle %16; clock %17.")
            .arg(r.rack)
            .arg(r.hall)
            .arg(r.row)
            .arg(r.cdu)
            .arg(r.pod < 0 ? QString("none") : QString::number(r.pod))
            .arg(r.first_node)
            .arg(r.first_node + r.nodes - 1)
            .arg(r.gpus)
            .arg(r.ranks)
            .arg(format_value(r.it_mean_w, ColourMetric::Power), format_value(r.it_peak_w, ColourMetric::Power), limit,
                 cool, format_value(r.compute, ColourMetric::Busy), format_value(r.communication, ColourMetric::Busy),
                 format_value(r.idle, ColourMetric::Busy), format_value(r.clock, ColourMetric::Clock));
    if (nodes_ && !nodes_->present) {
        text += "<br>" + nodes_->note.toHtmlEscaped();
    }
    detail_->setText(text);
}

void OverviewView::drill(int i) {
    const auto& tiles = model_->tiles();
    if (i < 0 || i >= static_cast<int>(tiles.size())) {
        return;
    }
    const Tile t = tiles[static_cast<std::size_t>(i)];
    if (level_ == Level::Nodes) {
        detail_->setText(node_text(t, t.clock));
        return;
    }
    if (!set_.complete || level_ == Level::Racks) {
        const int index = t.members.front();
        const auto& r = set_.racks[static_cast<std::size_t>(index)];
        if (set_.complete) {
            if (!nodes_) {
                try {
                    nodes_ = load_nodes(path_);
                } catch (const InputError& e) {
                    nodes_ = NodeSet{};
                    nodes_->note = QString::fromStdString(e.what());
                }
            }
            if (!node_tiles(set_, *nodes_, index).empty()) {
                go_to(Level::Nodes, hall_, row_, index);
            }
        }
        show_rack(r);
        return;
    }
    if (level_ == Level::Halls) {
        go_to(group_, t.id, -1);
    } else {
        go_to(Level::Racks, hall_, t.id);
    }
}

void OverviewView::up() {
    if (level_ == Level::Nodes) {
        go_to(Level::Racks, hall_, row_);
    } else if (level_ == Level::Racks) {
        go_to(group_, hall_, -1);
    } else if (level_ == Level::Rows || level_ == Level::Pods) {
        go_to(Level::Halls, -1, -1);
    }
}

void OverviewView::highlight(const Highlight& h) {
    highlight_racks_ = h.racks;
    highlight_->setText(h.text.isEmpty() ? QString()
                                         : "<b>Highlighted</b> (magenta outline): " + h.text.toHtmlEscaped());
    refresh();
}

void OverviewView::highlight_bottleneck(const QString& kind, const QString& name, const QString& tier) {
    highlight(locate(set_, kind, name, tier));
}

QString OverviewView::detail() const {
    return detail_->text();
}

QString OverviewView::highlight_text() const {
    return highlight_->text();
}

OverviewView* make_overview_view(const LoadedResult& r, QWidget* parent) {
    return new OverviewView(r, parent);
}

} // namespace twin::gui
