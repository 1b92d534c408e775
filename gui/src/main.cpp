// clustertwin-gui: the desktop front end. Parses arguments and opens the window; with --render it
// writes every view of the given scenarios and results to PNG and exits (1 when a view is blank),
// which is how the tests run it under Xvfb.
#include "twin/core/error.hpp"
#include "twin/gui/main_window.hpp"
#include "twin/gui/render.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("clustertwin");
    QApplication::setApplicationName("clustertwin-gui");
    QApplication::setApplicationVersion("0.1.0");
    QCommandLineParser parser;
    parser.setApplicationDescription("clustertwin-gui: what-if scenarios, runs and comparisons");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption render({"r", "render"}, "Render every view of the files to PNG in <dir> and exit.", "dir");
    parser.addOption(render);
    parser.addPositionalArgument("files", "Scenario files, result folders or report.json files to open.");
    parser.process(app);
    const QStringList files = parser.positionalArguments();

    if (parser.isSet(render)) {
        QStringList scenarios;
        std::vector<twin::gui::LoadedResult> results;
        for (const QString& f : files) {
            if (twin::gui::is_result_path(f)) {
                try {
                    results.push_back(twin::gui::load_result(f));
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "error: %s\n", e.what());
                    return 2;
                }
            } else {
                scenarios << f;
            }
        }
        const auto out = twin::gui::render_all(scenarios, results, parser.value(render));
        for (const QString& f : out.written) {
            std::printf("wrote %s%s\n", qPrintable(f), out.blank.contains(f) ? " (BLANK)" : "");
        }
        return out.blank.isEmpty() && !out.written.isEmpty() ? 0 : 1;
    }

    twin::gui::MainWindow window;
    for (const QString& f : files) {
        window.open_path(f);
    }
    window.show();
    return QApplication::exec();
}
