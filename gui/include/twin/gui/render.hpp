// Rendering views to PNG without a person at the screen (the offscreen platform or Xvfb): the
// render mode of clustertwin-gui and the tests that check no view is blank.
//
//   blank: fewer than 1 % of the pixels differ from the most common colour, or fewer than 8
//   distinct colours in the image (a widget that painted nothing, or only its background).
#pragma once

#include "twin/gui/result.hpp"

#include <QImage>
#include <QSize>
#include <QStringList>
#include <vector>

class QWidget;

namespace twin::gui {

// Shows `w` off screen at `size` (device pixel ratio `dpr`), lets it lay out and paint, and grabs it.
[[nodiscard]] QImage render_widget(QWidget* w, QSize size, qreal dpr = 1.0);
[[nodiscard]] bool looks_blank(const QImage& image);

struct RenderOutput {
    QStringList written; // PNG files
    QStringList blank;   // those of them that look blank
};

// Writes <out_dir>/<prefix>-<view>.png for the editor of each scenario and every view of each
// result (campaign and serving only for results with those sections; "nodes": the overview expanded
// into the nodes of the rack with the highest IT peak, for results with racks.csv and nodes.csv;
// "pods": that rack's hall by fabric pod, when it has two or more),
// compare.png of the first two results and, with three or more, compare-all.png of all of them.
[[nodiscard]] RenderOutput render_all(const QStringList& scenarios, const std::vector<LoadedResult>& results,
                                      const QString& out_dir);

} // namespace twin::gui
