// The cluster overview: halls -> rows (or fabric pods) -> racks -> nodes as a heat map coloured by GPU utilisation,
// power, peak power against the rack's limit or the throttle clock (rack_data.hpp), with a colour legend, tooltips,
// drill-down (click or Enter on a tile; Back, Backspace or the breadcrumb to go up) and a table of the same tiles
// beside it. Aggregates first: the 100k-GPU hall opens as a few halls and expands one level at a time. Sizes come from
// font metrics, so the map scales with the display.
#pragma once

#include "twin/gui/node_data.hpp"
#include "twin/gui/rack_data.hpp"

#include <QAbstractTableModel>
#include <QWidget>
#include <optional>
#include <set>

class QComboBox;
class QPainter;
class QLabel;
class QPushButton;
class QTableView;

namespace twin::gui {

// The tiles of the current level: name, GPUs, IT power, utilisation, load, clock (Qt::UserRole:
// the number, for sorting; tiles holding a highlighted rack are bold).
class TileModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Gpus, Power, Busy, Load, Clock, ColumnCount };
    explicit TileModel(QObject* parent = nullptr);
    void set_tiles(std::vector<Tile> tiles, std::set<int> highlighted);
    [[nodiscard]] const std::vector<Tile>& tiles() const { return tiles_; }
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    std::vector<Tile> tiles_;
    std::set<int> highlighted_; // tile indices
};

// The colour of `v` on the scale [lo, hi] of metric m (clock: low is red; the others: high is).
[[nodiscard]] QColor heat_colour(double v, ColourMetric m, std::pair<double, double> range);

class HeatMap : public QWidget {
    Q_OBJECT
public:
    explicit HeatMap(QWidget* parent = nullptr);
    // `set` (optional): the racks, drawn as small cells inside hall and row tiles that have room,
    // those in `racks_highlighted` (indices into set->racks) framed like highlighted tiles.
    void set_tiles(const std::vector<Tile>* tiles, ColourMetric m, std::pair<double, double> range,
                   std::set<int> highlighted, const RackSet* set = nullptr, std::set<int> racks_highlighted = {});
    [[nodiscard]] int tile_at(QPointF p) const; // -1: none
    [[nodiscard]] QRectF tile_rect(int i) const;
    [[nodiscard]] int current() const { return current_; }
    [[nodiscard]] QSize sizeHint() const override;

signals:
    void activated(int tile);
    void back();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    bool event(QEvent* e) override;

private:
    [[nodiscard]] int columns() const;
    void paint_racks(QPainter& p, const Tile& t, QRectF area) const;
    void paint_gpus(QPainter& p, const Tile& t, QRectF area) const;
    const std::vector<Tile>* tiles_ = nullptr;
    const RackSet* set_ = nullptr;
    std::set<int> racks_highlighted_;
    ColourMetric metric_ = ColourMetric::Busy;
    std::pair<double, double> range_{0.0, 1.0};
    std::set<int> highlighted_;
    int current_ = 0;
};

// A horizontal colour bar from lo to hi with its ticks, and a "no limit" swatch for tiles without
// a value.
class ColourLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColourLegend(QWidget* parent = nullptr);
    void set(ColourMetric m, std::pair<double, double> range);
    [[nodiscard]] QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent*) override;

private:
    ColourMetric metric_ = ColourMetric::Busy;
    std::pair<double, double> range_{0.0, 1.0};
};

class OverviewView : public QWidget {
    Q_OBJECT
public:
    explicit OverviewView(const LoadedResult& r, QWidget* parent = nullptr);

    void set_metric(ColourMetric m);
    // Racks grouped by facility row or by fabric pod below the halls (Level::Rows or Level::Pods;
    // saved as overview/group).
    void set_grouping(Level by);
    // Expands tile `i` of the current level (halls -> rows or pods -> racks -> nodes): a rack shows
    // its details and its nodes (nodes.csv, read on first use); a node, its GPUs.
    void drill(int i);
    void up();
    // `group`: the row or pod (Level::Racks, Level::Nodes); `rack`: an index into racks() (Nodes).
    void go_to(Level level, int hall, int group, int rack = -1);
    void highlight(const Highlight& h);
    void highlight_bottleneck(const QString& kind, const QString& name, const QString& tier);

    [[nodiscard]] ColourMetric metric() const { return metric_; }
    [[nodiscard]] Level level() const { return level_; }
    [[nodiscard]] int hall() const { return hall_; }
    [[nodiscard]] int row() const { return row_; } // the row or pod (grouping())
    [[nodiscard]] Level grouping() const { return group_; }
    [[nodiscard]] int rack() const { return rack_; } // index into racks() at Level::Nodes, else -1
    [[nodiscard]] const RackSet& racks() const { return set_; }
    [[nodiscard]] const std::vector<Tile>& tiles() const { return model_->tiles(); }
    [[nodiscard]] QString breadcrumb() const;
    [[nodiscard]] QString detail() const;
    [[nodiscard]] QString highlight_text() const;
    [[nodiscard]] TileModel* model() const { return model_; }
    [[nodiscard]] HeatMap* heat_map() const { return map_; }
    [[nodiscard]] std::set<int> highlighted_tiles() const;

private:
    void refresh();
    void show_rack(const RackInfo& r);

    RackSet set_;
    QString path_;                 // the report.json, beside which nodes.csv lies
    std::optional<NodeSet> nodes_; // read on the first drill into a rack
    Level group_ = Level::Rows;
    int rack_ = -1;
    ColourMetric metric_ = ColourMetric::Busy;
    Level level_ = Level::Halls;
    int hall_ = -1, row_ = -1;
    std::vector<int> highlight_racks_;
    TileModel* model_;
    HeatMap* map_;
    ColourLegend* legend_;
    QComboBox* metric_box_;
    QComboBox* group_box_;
    QPushButton* back_;
    QLabel* crumbs_;
    QLabel* detail_;
    QLabel* highlight_;
    QTableView* table_;
};

[[nodiscard]] OverviewView* make_overview_view(const LoadedResult& r, QWidget* parent = nullptr);

} // namespace twin::gui
