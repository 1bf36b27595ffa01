#include "rig/results/results_reader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "rig/results/path_safe_name.hpp"

namespace cyanrig {

namespace fs = std::filesystem;
// summary.json is read keeping its key order (measurements and their devices in recorded order).
using json = nlohmann::ordered_json;

namespace {

template <typename Json>
std::string text(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->template get<std::string>();
}

template <typename Json>
std::optional<double> number(const Json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->template get<double>();
}

int integer(const json& j, const char* key, int otherwise = 0) {
  if (!j.is_object()) return otherwise;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return otherwise;
  return it->get<int>();
}

bool flag(const json& j, const char* key) {
  if (!j.is_object()) return false;
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const json& member(const json& j, const char* key) {
  static const json kNullJson;
  if (!j.is_object()) return kNullJson;
  const auto it = j.find(key);
  return it == j.end() ? kNullJson : *it;
}

template <typename T, typename Fn>
std::vector<T> each(const json& array, Fn read) {
  std::vector<T> out;
  if (!array.is_array()) return out;
  for (const json& item : array) out.push_back(read(item));
  return out;
}

template <typename Json>
std::optional<RunTime> time_of(const Json& j, const char* key) {
  if (const auto ms = number(j, key)) return RunTime(*ms);
  return std::nullopt;
}

RecordedFailure failure_from(const json& j, std::string device = {}, int repeat = 0) {
  return {.cls = text(j, "class"),
          .kind = text(j, "kind"),
          .message = text(j, "message"),
          .step = text(j, "step"),
          .where = text(j, "where"),
          .t = time_of(j, "t_ms"),
          .device = std::move(device),
          .repeat = repeat};
}

RecordedDevice device_from(const json& j) {
  RecordedDevice d{.name = text(j, "name"),
                   .id = text(j, "id"),
                   .platform = text(j, "platform"),
                   .firmware = text(j, "firmware"),
                   .segment = text(j, "segment"),
                   .verdict = text(j, "verdict"),
                   .failure_class = text(j, "failure_class")};
  d.skipped = flag(j, "skipped") || d.verdict == "skipped";
  return d;
}

RecordedCase case_from(const json& j) {
  RecordedCase c{.device = text(j, "device"),
                 .repeat = integer(j, "repeat"),
                 .verdict = text(j, "verdict"),
                 .failure_class = text(j, "failure_class"),
                 .started = time_of(j, "started_ms").value_or(RunTime{}),
                 .ended = time_of(j, "ended_ms").value_or(RunTime{})};
  c.failures = each<RecordedFailure>(member(j, "failures"),
                                     [&](const json& f) { return failure_from(f, c.device, c.repeat); });
  return c;
}

RecordedStats stats_from(const json& j) {
  return {.count = integer(j, "count"),
          .missing = integer(j, "missing"),
          .min = number(j, "min"),
          .max = number(j, "max"),
          .mean = number(j, "mean"),
          .p50 = number(j, "p50"),
          .p75 = number(j, "p75"),
          .p95 = number(j, "p95")};
}

// One of a measurement's samples; its unit is the measurement's, set by the caller.
RecordedSample sample_from(const std::string& measurement, const json& s) {
  return RecordedSample{.measurement = measurement,
                        .device = text(s, "device"),
                        .repeat = integer(s, "repeat"),
                        .value = number(s, "value"),
                        .missing = text(s, "missing")};
}

RecordedMeasurement measurement_from(const std::string& name, const json& j) {
  RecordedMeasurement m{.name = name, .unit = text(j, "unit"), .rack = stats_from(member(j, "rack"))};
  if (const json& devices = member(j, "devices"); devices.is_object()) {
    for (const auto& [device, stats] : devices.items()) m.devices.emplace_back(device, stats_from(stats));
  }
  m.samples = each<RecordedSample>(member(j, "samples"), [&](const json& s) {
    RecordedSample sample = sample_from(name, s);
    sample.unit = m.unit;
    return sample;
  });
  return m;
}

RecordedCriterion criterion_from(const json& j) {
  return {.measurement = text(j, "measurement"),
          .statistic = text(j, "statistic"),
          .scope = text(j, "scope"),
          .limit = number(j, "limit"),
          .actual = number(j, "actual"),
          .unit = text(j, "unit"),
          .verdict = text(j, "verdict")};
}

std::string seed_text(const json& j) {
  const json& seed = member(j, "seed");
  if (seed.is_number_unsigned()) return std::to_string(seed.get<std::uint64_t>());
  if (seed.is_number_integer()) return std::to_string(seed.get<std::int64_t>());
  if (seed.is_string()) return seed.get<std::string>();
  return {};
}

RecordedRun run_from(const fs::path& dir, const json& j) {
  RecordedRun r;
  r.dir = dir;
  r.format_version = integer(j, "format_version");
  if (const std::string status = text(j, "status"); !status.empty()) r.status = status;
  r.rack = text(j, "rack");
  r.scenario = text(j, "scenario");
  r.rack_file = text(member(j, "files"), "rack");
  r.scenario_file = text(member(j, "files"), "scenario");
  r.seed = seed_text(j);
  r.simulated = flag(j, "simulated");
  r.started_utc = text(j, "started_utc");
  r.wall_seconds = number(j, "wall_seconds").value_or(0);
  r.rig_seconds = number(j, "rig_seconds").value_or(0);
  r.repeats = integer(j, "repeats");
  r.verdict = text(j, "verdict");
  r.failure_class = text(j, "failure_class");
  r.exit_code = integer(j, "exit_code");
  r.devices = each<RecordedDevice>(member(j, "devices"), device_from);
  r.cases = each<RecordedCase>(member(j, "cases"), case_from);
  r.run_failures =
      each<RecordedFailure>(member(j, "run_failures"), [](const json& f) { return failure_from(f); });
  if (const json& ms = member(j, "measurements"); ms.is_object()) {
    for (const auto& [name, m] : ms.items()) r.measurements.push_back(measurement_from(name, m));
  }
  r.criteria = each<RecordedCriterion>(member(j, "criteria"), criterion_from);
  if (const json& h = member(j, "history"); h.is_object()) r.history = h;
  return r;
}

std::optional<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

SourceLoc position_in(const std::string& file, std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {file, line, static_cast<int>(offset - line_start) + 1};
}

void replace_file(const fs::path& path, std::string_view content) {
  fs::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
}

const RecordedDevice* RecordedRun::device(std::string_view name) const {
  for (const RecordedDevice& d : devices) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::vector<RecordedFailure> RecordedRun::all_failures() const {
  std::vector<RecordedFailure> out;
  for (const RecordedCase& c : cases) out.insert(out.end(), c.failures.begin(), c.failures.end());
  out.insert(out.end(), run_failures.begin(), run_failures.end());
  return out;
}

std::optional<RecordedRun> read_results_folder(const fs::path& dir, Diagnostics& diags) {
  const fs::path path = dir / "summary.json";
  std::ifstream in(path, std::ios::binary);  // parsed as read: the text is not held whole either
  if (!in) {
    diags.error({path.string()}, fs::is_directory(dir)
                                     ? "cannot read the run's summary (is this a results folder?)"
                                     : "no such results folder");
    return std::nullopt;
  }
  try {
    // The cases and the measurements' samples grow with the repeats (64,000 cases in a run of 64
    // devices x 1000 repeats): each is taken as soon as it is parsed and left out of the tree, which
    // would hold them at several times their text's size.
    std::vector<RecordedCase> cases;
    std::map<std::string, std::vector<RecordedSample>> samples;  // by measurement
    std::string top_key;                                         // the top-level field being parsed
    std::string measurement;        // in "measurements": the measurement being parsed
    std::string measurement_field;  // and its field
    const json::parser_callback_t take = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::key) {
        std::string& key = depth == 1 ? top_key : depth == 2 ? measurement : measurement_field;
        if (depth <= 3) key = parsed.get<std::string>();
        return true;
      }
      if (event != json::parse_event_t::object_end) return true;
      if (depth == 2 && top_key == "cases") {
        cases.push_back(case_from(parsed));
        return false;
      }
      if (depth == 4 && top_key == "measurements" && measurement_field == "samples") {
        samples[measurement].push_back(sample_from(measurement, parsed));
        return false;
      }
      return true;
    };
    const json j = json::parse(in, take);
    if (!j.is_object()) {
      diags.error({path.string(), 1, 1}, "expected a JSON object");
      return std::nullopt;
    }
    RecordedRun run = run_from(dir, j);
    cases.insert(cases.end(), std::make_move_iterator(run.cases.begin()),
                 std::make_move_iterator(run.cases.end()));
    run.cases = std::move(cases);
    for (RecordedMeasurement& m : run.measurements) {
      std::vector<RecordedSample>& taken = samples[m.name];
      for (RecordedSample& sample : taken) sample.unit = m.unit;
      taken.insert(taken.end(), std::make_move_iterator(m.samples.begin()),
                   std::make_move_iterator(m.samples.end()));
      m.samples = std::move(taken);
    }
    return run;
  } catch (const json::parse_error& e) {
    // nlohmann counts the byte it stopped at from 1.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    diags.error(position_in(path.string(), slurp(path).value_or(""), at),
                "not valid JSON (" + std::string(e.what()) + ")");
    return std::nullopt;
  }
}

void for_each_recorded_event(const fs::path& dir, const std::function<void(const RecordedEvent&)>& fn,
                             Diagnostics& diags) {
  const fs::path path = dir / "events.jsonl";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error({path.string()}, "cannot read the run's events");
    return;
  }
  using EventJson = nlohmann::json;
  std::string line;
  int number_of_line = 0;
  while (std::getline(in, line)) {
    ++number_of_line;
    const bool last_unfinished = in.eof();  // no newline after it: still being written
    if (line.empty()) continue;
    EventJson j;
    try {
      j = EventJson::parse(line);
    } catch (const EventJson::parse_error& e) {
      if (last_unfinished) return;
      diags.error({path.string(), number_of_line, static_cast<int>(e.byte > 0 ? e.byte : 1)},
                  "not a JSON event (" + std::string(e.what()) + "); line skipped");
      continue;
    }
    if (!j.is_object()) {
      diags.error({path.string(), number_of_line, 1}, "not a JSON object; line skipped");
      continue;
    }
    RecordedEvent e;
    e.seq = j.value("seq", std::uint64_t{0});
    e.t = time_of(j, "t_ms").value_or(time_of(j, "t").value_or(RunTime{}));
    e.kind = text(j, "kind");
    e.device = text(j, "device");
    e.name = text(j, "name");
    for (const char* fixed : {"seq", "t_ms", "t", "kind", "device", "name"}) j.erase(fixed);
    const auto nested = j.find("data");
    const bool nests_data = j.size() == 1 && nested != j.end() && nested->is_object();
    e.data = nests_data ? EventJson(*nested) : std::move(j);  // a format that nests the data fields
    fn(e);
  }
}

std::vector<RecordedSerialLine> read_serial_log(const fs::path& dir, std::string_view device) {
  std::vector<RecordedSerialLine> lines;
  std::ifstream in(dir / "serial" / (path_safe_name(device) + ".log"), std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    // "[<seconds, width 10>] <text>"
    const auto close = line.find("] ");
    if (line.empty() || line.front() != '[' || close == std::string::npos) continue;
    std::string_view stamp(line.data() + 1, close - 1);
    while (!stamp.empty() && stamp.front() == ' ') stamp.remove_prefix(1);
    double seconds = 0;
    const auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), seconds);
    if (ec != std::errc{} || end != stamp.data() + stamp.size()) continue;
    lines.push_back({RunTime(seconds * 1000.0), line.substr(close + 2)});
  }
  return lines;
}

}  // namespace cyanrig
