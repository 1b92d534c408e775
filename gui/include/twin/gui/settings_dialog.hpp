// Edit → Settings: the clustertwin CLI binary, the runs folder, whether runs write a Perfetto
// timeline, how many runs the queue runs at once, and the overview's colour metric, kept in
// QSettings ("cli/path", "runs/dir", "run/timeline", "run/parallel", "overview/metric"; the keys the rest of the GUI
// reads). Empty paths mean the defaults (run_queue.hpp: find_cli; main_window.hpp: the runs folder).
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace twin::gui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    // Writes the fields to QSettings (the OK button does).
    void save() const;

    [[nodiscard]] QLineEdit* cli_field() const { return cli_; }
    [[nodiscard]] QLineEdit* runs_field() const { return runs_; }
    [[nodiscard]] QCheckBox* timeline_box() const { return timeline_; }
    [[nodiscard]] QComboBox* metric_box() const { return metric_; }
    [[nodiscard]] QSpinBox* parallel_box() const { return parallel_; }

private:
    QLineEdit* cli_;
    QLineEdit* runs_;
    QCheckBox* timeline_;
    QComboBox* metric_;
    QSpinBox* parallel_;
};

} // namespace twin::gui
