// Reading a result folder back: report.json through report::from_json, the same reader the tests
// use for round trips, so the GUI never interprets the JSON by key itself.
#include "twin/gui/result.hpp"

#include "twin/core/error.hpp"

#include <QFile>
#include <QFileInfo>
#include <nlohmann/json.hpp>

namespace twin::gui {

namespace {

QString report_file(const QString& path) {
    const QFileInfo info(path);
    return info.isDir() ? info.absoluteFilePath() + "/report.json" : info.absoluteFilePath();
}

} // namespace

bool is_result_path(const QString& path) {
    const QFileInfo info(path);
    if (info.isDir()) {
        return QFileInfo::exists(path + "/report.json");
    }
    return info.fileName() == "report.json" || info.fileName().endsWith(".report.json");
}

LoadedResult load_result(const QString& path) {
    const QString file = report_file(path);
    const std::string name = file.toStdString();
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        throw InputError(name, "/", "cannot read the result: " + f.errorString().toStdString());
    }
    const QByteArray bytes = f.readAll();
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(name, "/", std::string("not JSON: ") + e.what());
    }
    LoadedResult r;
    r.path = file;
    r.report = report::from_json(json, name);
    r.label = QString::fromStdString(r.report.scenario.name);
    return r;
}

} // namespace twin::gui
