#include "rig/results/writers.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>
#include <system_error>

#include "rig/results/path_safe_name.hpp"
#include "rig/results/rounding.hpp"

namespace cyanrig {

using ordered_json = nlohmann::ordered_json;

// ---- statistics ----

namespace {

// numpy's _lerp: interpolating from the nearer end keeps the result inside [a, b] and makes
// percentile() agree with numpy.percentile to the last bit.
double lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// "p95" -> 95; anything else (including "p", "p-1", "p95x") -> nullopt.
std::optional<double> percentile_rank(std::string_view name) {
  if (name.size() < 2 || name.front() != 'p') return std::nullopt;
  const std::string_view digits = name.substr(1);
  double p = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (ec != std::errc{} || end != digits.data() + digits.size() || !(p >= 0 && p <= 100)) return std::nullopt;
  return p;
}

}  // namespace

std::optional<double> percentile(std::vector<double> values, double p) {
  if (!(p >= 0 && p <= 100)) throw std::invalid_argument(fmt::format("percentile {} is outside [0, 100]", p));
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = static_cast<double>(values.size() - 1) * (p / 100.0);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return lerp(values[below], values[above], rank - static_cast<double>(below));
}

std::optional<double> statistic(std::vector<double> values, std::string_view name) {
  if (name == "min" || name == "max" || name == "mean") {
    if (values.empty()) return std::nullopt;
    if (name == "min") return *std::min_element(values.begin(), values.end());
    if (name == "max") return *std::max_element(values.begin(), values.end());
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  }
  if (const auto p = percentile_rank(name)) return percentile(std::move(values), *p);
  throw std::invalid_argument(
      fmt::format("unknown statistic '{}' (expected min, max, mean or p<N> such as p95)", name));
}

std::optional<double> censored_statistic(std::vector<double> values, std::size_t missing,
                                         std::string_view name) {
  if (missing == 0) return statistic(std::move(values), name);
  if (name == "max" || name == "mean") return std::nullopt;
  if (name == "min") return statistic(std::move(values), name);
  const auto p = percentile_rank(name);
  if (!p) return statistic(std::move(values), name);  // throws, naming the statistic
  // Ranks run over every sample; the missing ones sort after all the others.
  std::sort(values.begin(), values.end());
  const std::size_t total = values.size() + missing;
  const double rank = static_cast<double>(total - 1) * (*p / 100.0);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  if (below >= values.size()) return std::nullopt;
  if (fraction == 0.0) return values[below];
  const std::size_t above = below + 1;
  if (above >= values.size()) return std::nullopt;
  return lerp(values[below], values[above], fraction);
}

// ---- summary.json ----

namespace {

template <typename T, typename Fn>
ordered_json array_of(const std::vector<T>& items, Fn to_json) {
  ordered_json j = ordered_json::array();
  for (const T& item : items) j.push_back(to_json(item));
  return j;
}

ordered_json ms_json(Instant t) {
  return rounded(ms_since_start(t), kMsDecimals);
}

ordered_json value_json(std::optional<double> value) {
  if (!value) return nullptr;
  return rounded(*value, kValueDecimals);
}

ordered_json text_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return text;
}

std::string_view verdict(bool passed) {
  return passed ? "pass" : "fail";
}

ordered_json class_json(std::optional<FailureClass> cls) {
  if (!cls) return nullptr;
  return std::string(to_string(*cls));
}

ordered_json failure_json(const Failure& f) {
  ordered_json j;
  j["class"] = to_string(f.cls);
  j["kind"] = f.kind;
  j["message"] = f.message;
  j["step"] = text_or_null(f.step);
  j["where"] = text_or_null(f.where);
  j["t_ms"] = ms_json(f.t);
  return j;
}

ordered_json failures_json(const std::vector<Failure>& failures) {
  return array_of(failures, failure_json);
}

ordered_json device_json(const RunResult& result, const DeviceSummary& d) {
  const auto cls = result.device_failure_class(d.name);
  ordered_json j;
  j["name"] = d.name;
  j["id"] = d.id;
  j["platform"] = d.platform;
  j["firmware"] = d.firmware;
  j["verdict"] = verdict(!cls);
  j["failure_class"] = class_json(cls);
  return j;
}

ordered_json case_json(const CaseResult& c) {
  ordered_json j;
  j["device"] = c.device;
  j["repeat"] = c.repeat;
  j["verdict"] = c.skipped.empty() ? verdict(c.passed()) : "skipped";
  if (!c.skipped.empty()) j["skipped"] = c.skipped;
  j["failure_class"] = class_json(worst_class(c.failures));
  j["started_ms"] = ms_json(c.started);
  j["ended_ms"] = ms_json(c.ended);
  j["failures"] = failures_json(c.failures);
  return j;
}

using SampleGroup = std::vector<const MeasurementSample*>;

// Groups in order of first appearance, so the output follows the order the engine recorded.
std::vector<std::pair<std::string, SampleGroup>> group_by(
    const SampleGroup& samples, const std::function<const std::string&(const MeasurementSample&)>& key) {
  std::vector<std::pair<std::string, SampleGroup>> groups;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const MeasurementSample* s : samples) {
    const auto [it, added] = index.try_emplace(key(*s), groups.size());
    if (added) groups.emplace_back(key(*s), SampleGroup{});
    groups[it->second].second.push_back(s);
  }
  return groups;
}

ordered_json stats_json(const SampleGroup& samples) {
  std::vector<double> values;
  for (const MeasurementSample* s : samples) {
    if (s->value) values.push_back(*s->value);
  }
  ordered_json j;
  j["count"] = values.size();
  j["missing"] = samples.size() - values.size();
  for (const char* name : {"min", "max", "mean", "p50", "p75", "p95"})
    j[name] = value_json(statistic(values, name));
  return j;
}

ordered_json sample_json(const MeasurementSample& s) {
  ordered_json j;
  j["device"] = s.device;
  j["repeat"] = s.repeat;
  j["value"] = value_json(s.value);
  if (!s.value) j["missing"] = s.missing;
  if (s.missing_because) j["missing_because"] = to_string(*s.missing_because);
  return j;
}

ordered_json criterion_json(const CriterionResult& c) {
  ordered_json j;
  j["measurement"] = c.measurement;
  j["statistic"] = c.statistic;
  j["scope"] = c.scope;
  j["limit"] = rounded(c.limit, kValueDecimals);
  j["actual"] = value_json(c.actual);
  j["unit"] = c.unit;
  j["count"] = c.count;
  j["missing"] = c.missing;
  j["shown"] = actual_text(c);
  j["verdict"] = verdict(c.passed);
  j["failure_class"] = c.passed ? ordered_json() : class_json(c.failure_class.value_or(FailureClass::device));
  return j;
}

}  // namespace

namespace {

// Serial lines are whatever the device sent; never let a stray byte abort writing the results.
std::string dump(const ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Where summary.json's fields go: a tree (summary_json) or text as dump(2) would write that tree,
// without it (write_summary_json). The text keeps memory flat: a run of 64 devices and 1000
// repeats has 64,000 cases, whose tree took ~6 times the 26 MB of their text.
class SummarySink {
 public:
  virtual ~SummarySink() = default;
  virtual void field(const std::string& key, ordered_json value) = 0;
  // An array field, one element at a time.
  virtual void array(const std::string& key, std::size_t size,
                     const std::function<ordered_json(std::size_t)>& at) = 0;
  // An object field whose own fields go to the sink until end_object().
  virtual void begin_object(const std::string& key) = 0;
  virtual void end_object() = 0;
};

class TreeSink final : public SummarySink {
 public:
  TreeSink() : stack_{&root_} {}
  void field(const std::string& key, ordered_json value) override {
    (*stack_.back())[key] = std::move(value);
  }
  void array(const std::string& key, std::size_t size,
             const std::function<ordered_json(std::size_t)>& at) override {
    ordered_json a = ordered_json::array();
    for (std::size_t i = 0; i < size; ++i) a.push_back(at(i));
    field(key, std::move(a));
  }
  void begin_object(const std::string& key) override {
    ordered_json& object = (*stack_.back())[key];
    object = ordered_json::object();
    stack_.push_back(&object);
  }
  void end_object() override { stack_.pop_back(); }
  ordered_json take() { return std::move(root_); }

 private:
  ordered_json root_ = ordered_json::object();
  std::vector<ordered_json*> stack_;
};

class TextSink final : public SummarySink {
 public:
  explicit TextSink(std::ostream& out) : out_(out) { open('{'); }
  void field(const std::string& key, ordered_json value) override {
    name(key);
    nested(dump(value, 2), depth());
  }
  void array(const std::string& key, std::size_t size,
             const std::function<ordered_json(std::size_t)>& at) override {
    name(key);
    if (size == 0) {
      out_ << "[]";
      return;
    }
    out_ << '[';
    for (std::size_t i = 0; i < size; ++i) {
      out_ << (i == 0 ? "\n" : ",\n") << pad(depth() + 1);
      nested(dump(at(i), 2), depth() + 1);
    }
    out_ << '\n' << pad(depth()) << ']';
  }
  void begin_object(const std::string& key) override {
    name(key);
    open('{');
  }
  void end_object() override {
    const bool empty = firsts_.back();
    firsts_.pop_back();
    if (empty) {
      out_ << '}';
    } else {
      out_ << '\n' << pad(depth()) << '}';
    }
  }

 private:
  int depth() const { return static_cast<int>(firsts_.size()); }  // of the fields being written
  static std::string pad(int depth) { return std::string(2 * static_cast<std::size_t>(depth), ' '); }
  void open(char bracket) {
    out_ << bracket;
    firsts_.push_back(true);
  }
  void name(const std::string& key) {
    out_ << (firsts_.back() ? "\n" : ",\n") << pad(depth()) << dump(ordered_json(key)) << ": ";
    firsts_.back() = false;
  }
  // A value's dump(2) as it stands `depth` levels in: every line but its first indented to there.
  void nested(const std::string& text, int depth) {
    const std::string indent = pad(depth);
    for (const char c : text) {
      out_ << c;
      if (c == '\n') out_ << indent;
    }
  }

  std::ostream& out_;
  std::vector<bool> firsts_;  // per open object: no field written yet
};

void measurements_to(SummarySink& sink, const std::vector<MeasurementSample>& samples) {
  SampleGroup all;
  for (const MeasurementSample& s : samples) all.push_back(&s);
  sink.begin_object("measurements");
  for (const auto& group : group_by(all, &MeasurementSample::name)) {
    const SampleGroup& of_name = group.second;  // named: the lambda below cannot capture a binding
    sink.begin_object(group.first);
    sink.field("unit", of_name.front()->unit);  // one unit per name: the first sample's
    sink.field("rack", stats_json(of_name));
    ordered_json devices = ordered_json::object();
    for (const auto& [device, of_device] : group_by(of_name, &MeasurementSample::device))
      devices[device] = stats_json(of_device);
    sink.field("devices", std::move(devices));
    sink.array("samples", of_name.size(), [&](std::size_t i) { return sample_json(*of_name[i]); });
    sink.end_object();
  }
  sink.end_object();
}

// Every field of summary.json in its documented order; `after_status` goes right after "status".
void summary_to(SummarySink& sink, const RunResult& result, const ordered_json& after_status) {
  sink.field("format_version", 2);
  sink.field("status", result.finished ? "finished" : result.aborted ? "aborted" : "running");
  for (const auto& [key, value] : after_status.items()) sink.field(key, value);
  sink.field("rack", result.rack);
  sink.field("scenario", result.scenario);
  sink.field("files", {{"rack", result.rack_file}, {"scenario", result.scenario_file}});
  sink.field("seed", result.seed);
  sink.field("simulated", result.simulated);
  sink.field("started_utc", result.started_utc);
  sink.field("wall_seconds", rounded(result.wall_seconds, kMsDecimals));
  sink.field("rig_seconds", rounded(result.rig_seconds, kMsDecimals));
  sink.field("repeats", result.repeats);
  const auto worst = result.worst_class();
  sink.field("verdict", verdict(!worst));
  sink.field("failure_class", class_json(worst));
  sink.field("exit_code", static_cast<int>(result.exit_code()));
  sink.field("devices",
             array_of(result.devices, [&](const DeviceSummary& d) { return device_json(result, d); }));
  sink.array("cases", result.cases.size(), [&](std::size_t i) { return case_json(result.cases[i]); });
  sink.field("run_failures", failures_json(result.run_failures));
  measurements_to(sink, result.samples);
  sink.field("criteria", array_of(result.criteria, criterion_json));
}

}  // namespace

ordered_json summary_json(const RunResult& result) {
  TreeSink tree;
  summary_to(tree, result, ordered_json::object());
  return tree.take();
}

void write_summary_json(const RunResult& result, std::ostream& out, const ordered_json& after_status) {
  TextSink text(out);
  summary_to(text, result, after_status);
  text.end_object();
  out << '\n';
}

// ---- events.jsonl ----

void write_event_jsonl(const Event& event, std::ostream& out) {
  ordered_json j;
  j["seq"] = event.seq;
  j["t_ms"] = ms_json(event.t);
  j["kind"] = to_string(event.kind);
  if (!event.device.empty()) j["device"] = event.device;
  j["name"] = event.name;
  if (event.data.is_object()) {
    // nlohmann::json keeps object keys sorted, so data fields always come out in the same order.
    // A data field named like a fixed key keeps its value under "data.<key>" rather than clobbering it.
    for (const auto& [key, value] : event.data.items()) {
      j[j.contains(key) ? "data." + key : key] = value;
    }
  } else if (!event.data.is_null()) {
    j["data"] = event.data;
  }
  out << dump(j) << '\n';
}

// ---- files and folders ----

std::filesystem::path make_results_dir(const std::filesystem::path& root,
                                       const std::string& started_utc_compact, const std::string& scenario) {
  namespace fs = std::filesystem;
  fs::create_directories(root);
  const std::string base = path_safe_name(started_utc_compact) + "-" + path_safe_name(scenario);
  // create_directory is atomic, so two runs starting in the same second still get separate folders.
  for (int n = 1;; ++n) {
    fs::path candidate = root / (n == 1 ? base : fmt::format("{}-{}", base, n));
    std::error_code ec;
    if (fs::create_directory(candidate, ec)) return candidate;
    if (ec && !fs::exists(candidate))
      throw fs::filesystem_error("cannot create results folder", candidate, ec);
  }
}

std::string utc_iso(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

std::string utc_compact(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

}  // namespace cyanrig
