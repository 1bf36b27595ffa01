#include "rig/results/result_fold.hpp"

#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

std::optional<FailureClass> class_named(const std::string& name) {
  if (name == "device") return FailureClass::device;
  if (name == "infrastructure") return FailureClass::infrastructure;
  if (name == "scenario") return FailureClass::scenario;
  return std::nullopt;
}

std::string text(const nlohmann::json& data, const char* key) {
  if (!data.is_object()) return {};
  const auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int integer(const nlohmann::json& data, const char* key, int otherwise = 0) {
  if (!data.is_object()) return otherwise;
  const auto it = data.find(key);
  return it != data.end() && it->is_number_integer() ? it->get<int>() : otherwise;
}

std::optional<double> number(const nlohmann::json& data, const char* key) {
  if (!data.is_object()) return std::nullopt;
  const auto it = data.find(key);
  if (it == data.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

void ResultFold::add(const Event& e) {
  switch (e.kind) {
    case EventKind::run:
      if (e.name == ev::run::kDevice) {
        result_.devices.push_back(DeviceSummary{.name = e.device,
                                                .id = text(e.data, "id"),
                                                .platform = text(e.data, "platform"),
                                                .firmware = text(e.data, "firmware")});
      } else if (e.name == ev::run::kCaseStart || e.name == ev::run::kCaseSkipped) {
        const int repeat = integer(e.data, "repeat");
        case_index_[{e.device, repeat}] = result_.cases.size();
        latest_repeat_[e.device] = repeat;
        CaseResult c{.device = e.device, .repeat = repeat, .started = e.t, .ended = e.t, .failures = {}};
        if (e.name == ev::run::kCaseSkipped) c.skipped = text(e.data, "reason");
        result_.cases.push_back(std::move(c));
        wall_started_[{e.device, repeat}] = std::chrono::steady_clock::now();
      } else if (e.name == ev::run::kCaseEnd) {
        const int repeat = integer(e.data, "repeat");
        if (CaseResult* c = find_case(e.device, repeat)) {
          c->ended = e.t;
          const auto it = wall_started_.find({e.device, repeat});
          if (it != wall_started_.end()) {
            c->wall_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second).count();
            wall_started_.erase(it);  // a case ends once; a long run holds only the open ones
          }
        }
      } else if (e.name == ev::run::kEnd) {
        result_.finished = true;
      }
      return;
    case EventKind::failure:
      add_failure(e);
      return;
    case EventKind::measurement: {
      MeasurementSample s{.name = e.name,
                          .device = e.device,
                          .repeat = integer(e.data, "repeat"),
                          .value = number(e.data, "value"),
                          .unit = text(e.data, "unit"),
                          .missing = text(e.data, "missing")};
      s.missing_because = class_named(text(e.data, "missing_because"));
      result_.samples.push_back(std::move(s));
      return;
    }
    case EventKind::criterion: {
      CriterionResult c{.measurement = e.name,
                        .scope = e.device.empty() ? "rack" : e.device,
                        .statistic = text(e.data, "statistic"),
                        .limit = number(e.data, "limit").value_or(0),
                        .actual = number(e.data, "actual"),
                        .unit = text(e.data, "unit"),
                        .passed = e.data.is_object() && e.data.value("passed", false),
                        .count = static_cast<std::size_t>(integer(e.data, "count")),
                        .missing = static_cast<std::size_t>(integer(e.data, "missing"))};
      c.failure_class = class_named(text(e.data, "class"));
      result_.criteria.push_back(std::move(c));
      return;
    }
    default:
      return;
  }
}

void ResultFold::add_failure(const Event& e) {
  Failure f{.cls = class_named(text(e.data, "class")).value_or(FailureClass::infrastructure),
            .kind = e.name,
            .message = text(e.data, "message"),
            .step = text(e.data, "step"),
            .where = text(e.data, "where"),
            .t = e.t};
  if (e.device.empty()) {
    result_.run_failures.push_back(std::move(f));
    return;
  }
  const auto latest = latest_repeat_.find(e.device);
  const int repeat = integer(e.data, "repeat", latest == latest_repeat_.end() ? 0 : latest->second);
  if (CaseResult* c = find_case(e.device, repeat)) {
    c->failures.push_back(std::move(f));
  } else {
    result_.run_failures.push_back(std::move(f));  // a device outside every case: still reported
  }
}

CaseResult* ResultFold::find_case(const std::string& device, int repeat) {
  const auto it = case_index_.find({device, repeat});
  return it == case_index_.end() ? nullptr : &result_.cases[it->second];
}

std::optional<FailureClass> ResultFold::case_class(const std::string& device, int repeat) const {
  const auto it = case_index_.find({device, repeat});
  if (it == case_index_.end()) return std::nullopt;
  return worst_class(result_.cases[it->second].failures);
}

RunResult ResultFold::finish(double rig_seconds, double wall_seconds) && {
  result_.rig_seconds = rig_seconds;
  result_.wall_seconds = wall_seconds;
  for (DeviceSummary& d : result_.devices) {
    d.failure_class = result_.device_failure_class(d.name);
    d.passed = !d.failure_class;
  }
  case_index_.clear();
  latest_repeat_.clear();
  return std::move(result_);
}

}  // namespace cyanrig
