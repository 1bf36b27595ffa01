#include "drivers/sim/serve/control_api.hpp"

#include <fmt/format.h>

#include <chrono>

#include "drivers/sim/sim_log.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

HttpResponse done(nlohmann::json body) {
  body["ok"] = true;
  return json_answer(http::status::ok, body);
}

HttpResponse refused(http::status status, const std::string& message) {
  return json_answer(status, {{"ok", false}, {"error", message}});
}

nlohmann::json outage_json(const std::optional<OutageSpec>& outage) {
  if (!outage) return nullptr;
  return {{"mode", to_string(outage->mode)}, {"action", to_string(outage->action)}};
}

template <typename T>
bool read_field(const nlohmann::json& json, const char* name, T& into, std::string& error) {
  if (!json.contains(name)) return true;
  try {
    into = json.at(name).get<T>();
    return true;
  } catch (const nlohmann::json::exception&) {
    error = fmt::format("field '{}' has the wrong type", name);
    return false;
  }
}

}  // namespace

nlohmann::json faults_json(const ServedFaults& faults) {
  return {{"status", faults.status},
          {"count", faults.count},
          {"retry_after", std::chrono::duration_cast<std::chrono::seconds>(faults.retry_after).count()},
          {"silent_stream", faults.silent_stream},
          {"drop_connections", faults.drop_connections}};
}

std::optional<ServedFaults> faults_from_json(const nlohmann::json& json, std::string& error) {
  if (!json.is_object()) {
    error = "expected a JSON object";
    return std::nullopt;
  }
  ServedFaults faults;
  std::int64_t retry_after_s = 0;
  if (!read_field(json, "status", faults.status, error) || !read_field(json, "count", faults.count, error) ||
      !read_field(json, "retry_after", retry_after_s, error) ||
      !read_field(json, "silent_stream", faults.silent_stream, error) ||
      !read_field(json, "drop_connections", faults.drop_connections, error)) {
    return std::nullopt;
  }
  if (faults.status != 0 && (faults.status < 400 || faults.status > 599)) {
    error = fmt::format("status {} is not an HTTP error status (400-599)", faults.status);
    return std::nullopt;
  }
  if (faults.count < 0 || retry_after_s < 0) {
    error = "count and retry_after cannot be negative";
    return std::nullopt;
  }
  // A status without a count means "the next request".
  if (faults.status != 0 && faults.count == 0) faults.count = 1;
  faults.retry_after = std::chrono::seconds(retry_after_s);
  return faults;
}

HttpResponse ControlApi::handle(const HttpRequest& request) {
  const RequestTarget target = parse_target(text(request.target()));
  const auto& path = target.path;
  const http::verb method = request.method();
  if (path.size() == 2 && path[1] == "status" && method == http::verb::get) return status();
  if (path.size() == 5 && path[1] == "devices" && path[3] == "power" && method == http::verb::post) {
    return power(path[2], path[4]);
  }
  if (path.size() == 4 && path[1] == "segments" && path[3] == "outage") return outage(request, path[2]);
  if (path.size() == 2 && path[1] == "faults") return faults(request);
  return refused(http::status::not_found, fmt::format("no control route {} {}", text(request.method_string()),
                                                      text(request.target())));
}

HttpResponse ControlApi::status() const {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& device : world_.devices()) {
    const RackDevice& d = device->rack_device();
    devices.push_back({{"name", d.name},
                       {"id", d.id.str()},
                       {"platform", d.platform->name},
                       {"segment", d.segment},
                       {"powered", device->powered()},
                       {"state", device->state()},
                       {"online", world_.cloud().online(d.id)},
                       {"firmware_version", device->firmware_version()}});
  }
  nlohmann::json segments = nlohmann::json::array();
  for (const auto& [name, segment] : world_.segments()) {
    segments.push_back({{"name", name}, {"outage", outage_json(segment->outage())}});
  }
  return done({{"devices", devices}, {"segments", segments}, {"faults", faults_json(faults_.current())}});
}

HttpResponse ControlApi::power(const std::string& device_name, const std::string& state) {
  SimDevice* device = world_.find_device(device_name);
  if (device == nullptr) return refused(http::status::not_found, fmt::format("no device '{}'", device_name));
  if (state != "on" && state != "off") {
    return refused(http::status::bad_request, fmt::format("power '{}': expected on or off", state));
  }
  device->set_power(state == "on" ? PowerState::on : PowerState::off);
  sim_log().info("served rack: {} power {}", device->rack_device().name, state);
  return done({{"device", device->rack_device().name}, {"power", state}});
}

HttpResponse ControlApi::outage(const HttpRequest& request, const std::string& segment_name) {
  NetworkSegment* segment = world_.find_segment(segment_name);
  if (segment == nullptr)
    return refused(http::status::not_found, fmt::format("no segment '{}'", segment_name));
  if (request.method() == http::verb::get)
    return done({{"segment", segment_name}, {"outage", outage_json(segment->outage())}});
  if (request.method() == http::verb::delete_) {
    segment->stop_outage();
    sim_log().info("served rack: outage on {} lifted", segment_name);
    return done({{"segment", segment_name}, {"outage", nullptr}});
  }
  if (request.method() != http::verb::post)
    return refused(http::status::method_not_allowed, "use GET, POST or DELETE");
  const nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("mode") || !body["mode"].is_string()) {
    return refused(http::status::bad_request, R"(expected {"mode": "cloud", "action": "drop"})");
  }
  const auto mode = outage_mode_named(body["mode"].get<std::string>());
  const std::string action_name = body.value("action", std::string("drop"));
  const auto action = outage_action_named(action_name);
  if (!mode || !action) {
    return refused(http::status::bad_request,
                   fmt::format("unknown outage '{}' '{}': modes {}; actions drop, reject",
                               body["mode"].get<std::string>(), action_name, outage_mode_names()));
  }
  segment->start_outage(OutageSpec{.mode = *mode, .action = *action});
  sim_log().info("served rack: {} outage ({}) on {}", to_string(*mode), to_string(*action), segment_name);
  return done({{"segment", segment_name}, {"outage", outage_json(segment->outage())}});
}

HttpResponse ControlApi::faults(const HttpRequest& request) {
  if (request.method() == http::verb::delete_) {
    faults_.inject(ServedFaults{});
    return done({{"faults", faults_json(ServedFaults{})}});
  }
  if (request.method() == http::verb::get) return done({{"faults", faults_json(faults_.current())}});
  if (request.method() != http::verb::put && request.method() != http::verb::post) {
    return refused(http::status::method_not_allowed, "use GET, PUT or DELETE");
  }
  std::string error;
  const auto faults = faults_from_json(nlohmann::json::parse(request.body(), nullptr, false), error);
  if (!faults) return refused(http::status::bad_request, error);
  faults_.inject(*faults);
  return done({{"faults", faults_json(*faults)}});
}

}  // namespace cyanrig::sim
