// The main window: the what-if editor, the run panel, the views of the selected result and the
// comparison of two results as tabs; File menu with open scenario / open result / recent files /
// save as; window geometry, recent files and the runs folder in QSettings.
//
// A run writes the editor's document to <runs folder>/<name>-<n>/<name>.json (paths rebased) and
// starts `clustertwin run <that> -o <runs folder>/<name>-<n>/result`; when it succeeds the result
// is opened and becomes B of the comparison, the previous one A. With Run → "Write a Perfetto
// timeline" (setting run/timeline) the run also writes <runs folder>/<name>-<n>/timeline.json.
#pragma once

#include "twin/gui/result.hpp"

#include <QMainWindow>
#include <vector>

class QAction;
class QComboBox;
class QMenu;
class QTabWidget;

namespace twin::gui {

class RunPanel;
class ScenarioEditor;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a scenario into the editor or a result folder / report.json into the views; false and a
    // message box (or, with no display, stderr) on failure.
    bool open_path(const QString& path);
    // Queues a run of the editor's document; false when it cannot be written.
    bool run_current();
    // Shows result `index` in the views; compares results a and b.
    void show_result(int index);
    void compare(int a, int b);
    // Compares the results `indices` (two or more), the first the baseline: one column each.
    void compare_many(const std::vector<int>& indices);

    [[nodiscard]] ScenarioEditor* editor() const { return editor_; }
    [[nodiscard]] RunPanel* run_panel() const { return run_panel_; }
    [[nodiscard]] QTabWidget* tabs() const { return tabs_; }
    [[nodiscard]] const std::vector<LoadedResult>& results() const { return results_; }
    [[nodiscard]] QString runs_dir() const;

signals:
    void result_added(int index);

private:
    void build_menus();
    void add_recent(const QString& path);
    void rebuild_recent_menu();
    void add_result(LoadedResult r);
    void replace_tab(int index, QWidget* w, const QString& title);
    void link_bottlenecks_to_overview();
    void report_error(const QString& text);

    ScenarioEditor* editor_;
    RunPanel* run_panel_;
    QTabWidget* tabs_;
    QMenu* recent_menu_ = nullptr;
    QAction* timeline_action_ = nullptr;
    QComboBox* compare_a_ = nullptr;
    QComboBox* compare_b_ = nullptr;
    QWidget* compare_host_ = nullptr;
    void set_compare_view(QWidget* view);
    std::vector<LoadedResult> results_;
    int run_counter_ = 0;
};

// Tab indices.
enum MainTab { TabEditor, TabRun, TabWorkload, TabOverview, TabBottlenecks, TabPower, TabTimeline, TabCompare };

} // namespace twin::gui
