// MainWindow (main_window.hpp).
#include "twin/gui/main_window.hpp"

#include "twin/core/error.hpp"
#include "twin/gui/bom_view.hpp"
#include "twin/gui/knobs.hpp"
#include "twin/gui/multi_compare.hpp"
#include "twin/gui/overview.hpp"
#include "twin/gui/run_panel.hpp"
#include "twin/gui/scenario_editor.hpp"
#include "twin/gui/section_views.hpp"
#include "twin/gui/settings_dialog.hpp"
#include "twin/gui/table_models.hpp"
#include "twin/gui/views.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cstdio>

namespace twin::gui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), editor_(new ScenarioEditor), run_panel_(new RunPanel), tabs_(new QTabWidget(this)) {
    setWindowTitle("clustertwin");
    tabs_->addTab(editor_, "&Scenario");
    tabs_->addTab(run_panel_, "&Run");
    for (const char* t : {"&Workload", "&Overview", "&Bottlenecks", "&Power && cooling", "&Timeline"}) {
        tabs_->addTab(empty_note("Open a result (File \u2192 Open result) or run a scenario."), t);
    }
    auto* compare_tab = new QWidget;
    auto* cl = new QVBoxLayout(compare_tab);
    auto* pick = new QHBoxLayout;
    compare_a_ = new QComboBox(compare_tab);
    compare_b_ = new QComboBox(compare_tab);
    pick->addWidget(new QLabel("A:", compare_tab));
    pick->addWidget(compare_a_, 1);
    pick->addWidget(new QLabel("B:", compare_tab));
    pick->addWidget(compare_b_, 1);
    auto* all = new QPushButton("Compare &all opened, A as baseline", compare_tab);
    all->setObjectName("compare_all");
    pick->addWidget(all);
    connect(all, &QPushButton::clicked, this, [this] {
        std::vector<int> indices{compare_a_->currentIndex()};
        for (int i = 0; i < static_cast<int>(results_.size()); ++i) {
            if (i != indices.front()) {
                indices.push_back(i);
            }
        }
        compare_many(indices);
    });
    cl->addLayout(pick);
    compare_host_ = empty_note("Open or run two results to compare them.");
    cl->addWidget(compare_host_, 1);
    tabs_->addTab(compare_tab, "&Compare");
    setCentralWidget(tabs_);
    const auto on_pick = [this] { compare(compare_a_->currentIndex(), compare_b_->currentIndex()); };
    connect(compare_a_, &QComboBox::activated, this, on_pick);
    connect(compare_b_, &QComboBox::activated, this, on_pick);
    connect(run_panel_, &RunPanel::result_ready, this, [this](const QString& dir, const QString& label) {
        try {
            auto r = load_result(dir);
            r.label = label;
            add_result(std::move(r));
        } catch (const std::exception& e) {
            report_error(QString::fromUtf8(e.what()));
        }
    });
    connect(editor_, &ScenarioEditor::validated, this,
            [this](bool ok, const QString& line) { statusBar()->showMessage(ok ? "Scenario valid" : line); });
    build_menus();
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    if (s.value("window/geometry").isNull()) {
        const int line = fontMetrics().height(); // about 80 x 50 lines of text, whatever the DPI
        resize(line * 80, line * 50);
    }
}

MainWindow::~MainWindow() {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
}

QString MainWindow::runs_dir() const {
    const QString set = QSettings().value("runs/dir").toString();
    return set.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs" : set;
}

void MainWindow::build_menus() {
    auto* file = menuBar()->addMenu("&File");
    file->addAction("&Open scenario\u2026", QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, "Open scenario", {}, "Scenarios (*.json)");
        if (!p.isEmpty()) {
            open_path(p);
        }
    });
    file->addAction("Open &result folder\u2026", QKeySequence("Ctrl+Shift+O"), this, [this] {
        const QString p = QFileDialog::getExistingDirectory(this, "Open result folder (with report.json)");
        if (!p.isEmpty()) {
            open_path(p);
        }
    });
    recent_menu_ = file->addMenu("Recent &files");
    rebuild_recent_menu();
    file->addAction("Save scenario &as\u2026", QKeySequence::SaveAs, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Save scenario as", editor_->file(), "Scenarios (*.json)");
        if (!p.isEmpty() && editor_->save_as(p)) {
            add_recent(p);
        }
    });
    file->addSeparator();
    file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
    auto* edit = menuBar()->addMenu("&Edit");
    auto* undo = editor_->undo_stack()->createUndoAction(this, "&Undo");
    undo->setShortcut(QKeySequence::Undo);
    auto* redo = editor_->undo_stack()->createRedoAction(this, "&Redo");
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction("&Settings…", QKeySequence::Preferences, this, [this] {
        SettingsDialog d(this);
        if (d.exec() == QDialog::Accepted) {
            run_panel_->queue()->set_cli(find_cli());
            run_panel_->queue()->set_max_parallel(QSettings().value("run/parallel", 1).toInt());
            if (timeline_action_) {
                timeline_action_->setChecked(QSettings().value("run/timeline", false).toBool());
            }
        }
    });
    auto* run = menuBar()->addMenu("&Run");
    run->addAction("&Run scenario", QKeySequence("Ctrl+R"), this, [this] { run_current(); });
    auto* timeline = run->addAction("Write a &Perfetto timeline with each run");
    timeline_action_ = timeline;
    timeline->setCheckable(true);
    timeline->setChecked(QSettings().value("run/timeline", false).toBool());
    connect(timeline, &QAction::toggled, this, [](bool on) { QSettings().setValue("run/timeline", on); });
    run->addAction("&Cancel run", QKeySequence("Ctrl+."), run_panel_->queue(), &RunQueue::cancel_current);
    run->addAction("Cancel &all runs", run_panel_->queue(), &RunQueue::cancel_all);
}

void MainWindow::add_recent(const QString& path) {
    QSettings s;
    QStringList list = s.value("recent").toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > 10) {
        list.removeLast();
    }
    s.setValue("recent", list);
    rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
    recent_menu_->clear();
    for (const QString& p : QSettings().value("recent").toStringList()) {
        recent_menu_->addAction(p, this, [this, p] { open_path(p); });
    }
    recent_menu_->setEnabled(!recent_menu_->isEmpty());
}

void MainWindow::report_error(const QString& text) {
    if (QGuiApplication::platformName() == "offscreen" || QGuiApplication::platformName() == "minimal") {
        std::fprintf(stderr, "clustertwin-gui: %s\n", qPrintable(text));
    } else {
        QMessageBox::warning(this, "clustertwin", text);
    }
    statusBar()->showMessage(text);
}

bool MainWindow::open_path(const QString& path) {
    if (is_result_path(path)) {
        try {
            add_result(load_result(path));
        } catch (const std::exception& e) {
            report_error(QString::fromUtf8(e.what()));
            return false;
        }
    } else {
        if (!editor_->open(path)) {
            report_error(editor_->error_line());
            return false;
        }
        tabs_->setCurrentIndex(TabEditor);
        setWindowTitle("clustertwin \u2014 " + QFileInfo(path).fileName());
    }
    add_recent(path);
    return true;
}

bool MainWindow::run_current() {
    const auto& doc = editor_->document();
    const QString name = QString::fromStdString(
        doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : std::string("untitled"));
    const QString dir = QString("%1/%2-%3").arg(runs_dir(), name).arg(++run_counter_);
    QDir().mkpath(dir);
    const QString scenario = dir + "/" + name + ".json";
    const std::string text = rebase_paths(doc, editor_->base_dir(), dir).dump(2) + "\n";
    QSaveFile f(scenario);
    if (!f.open(QIODevice::WriteOnly) || f.write(text.data(), static_cast<qint64>(text.size())) < 0 || !f.commit()) {
        report_error("cannot write " + scenario + ": " + f.errorString());
        return false;
    }
    RunJob job{QString("%1 #%2").arg(name).arg(run_counter_), scenario, dir + "/result", {}};
    if (QSettings().value("run/timeline", false).toBool()) {
        job.extra_args = QStringList{"--timeline", dir + "/timeline.json"};
    }
    run_panel_->queue()->enqueue(job);
    tabs_->setCurrentIndex(TabRun);
    return true;
}

void MainWindow::add_result(LoadedResult r) {
    results_.push_back(std::move(r));
    const int index = static_cast<int>(results_.size()) - 1;
    const QString item = QString("%1  (%2)").arg(results_.back().label, results_.back().path);
    compare_a_->addItem(item);
    compare_b_->addItem(item);
    show_result(index);
    if (index >= 1) {
        compare(index - 1, index);
    }
    emit result_added(index);
}

void MainWindow::replace_tab(int index, QWidget* w, const QString& title) {
    QWidget* old = tabs_->widget(index);
    const int current = tabs_->currentIndex();
    tabs_->removeTab(index);
    tabs_->insertTab(index, w, title);
    tabs_->setCurrentIndex(current);
    delete old;
}

void MainWindow::show_result(int index) {
    if (index < 0 || index >= static_cast<int>(results_.size())) {
        return;
    }
    const auto& r = results_[static_cast<std::size_t>(index)];
    replace_tab(TabWorkload, make_workload_view(r), "&Workload");
    replace_tab(TabOverview, make_overview_view(r), "&Overview");
    replace_tab(TabBottlenecks, make_bottleneck_view(r), "&Bottlenecks");
    replace_tab(TabPower, make_power_view(r), "&Power && cooling");
    replace_tab(TabTimeline, make_timeline_view(r), "&Timeline");
    show_section_tabs(tabs_, r); // campaign and serving, after Compare, when the result has them
    show_bom_tab(tabs_, r);      // the "Build-out" tab after the others (bom_view.hpp)
    link_bottlenecks_to_overview();
    tabs_->setCurrentIndex(TabWorkload);
}

// Selecting a row of the bottlenecks table outlines where it sits in the overview.
void MainWindow::link_bottlenecks_to_overview() {
    auto* overview = qobject_cast<OverviewView*>(tabs_->widget(TabOverview));
    auto* table = tabs_->widget(TabBottlenecks)->findChild<QTableView*>("bottleneck_table");
    if (overview == nullptr || table == nullptr) {
        return;
    }
    connect(table->selectionModel(), &QItemSelectionModel::currentRowChanged, overview,
            [overview](const QModelIndex& current) {
                if (!current.isValid()) {
                    return;
                }
                const auto cell = [&](int c) { return current.siblingAtColumn(c).data(Qt::UserRole).toString(); };
                overview->highlight_bottleneck(cell(BottleneckModel::Kind), cell(BottleneckModel::Name),
                                               cell(BottleneckModel::Tier));
            });
}

void MainWindow::compare(int a, int b) {
    const int n = static_cast<int>(results_.size());
    if (a < 0 || b < 0 || a >= n || b >= n) {
        return;
    }
    compare_a_->setCurrentIndex(a);
    compare_b_->setCurrentIndex(b);
    set_compare_view(make_compare_view(results_[static_cast<std::size_t>(a)], results_[static_cast<std::size_t>(b)]));
}

void MainWindow::compare_many(const std::vector<int>& indices) {
    std::vector<const LoadedResult*> picked;
    for (int i : indices) {
        if (i >= 0 && i < static_cast<int>(results_.size())) {
            picked.push_back(&results_[static_cast<std::size_t>(i)]);
        }
    }
    if (picked.size() >= 2) {
        set_compare_view(make_multi_compare_view(picked));
    }
}

void MainWindow::set_compare_view(QWidget* view) {
    auto* layout = tabs_->widget(TabCompare)->layout();
    layout->replaceWidget(compare_host_, view);
    delete compare_host_;
    compare_host_ = view;
}

} // namespace twin::gui
