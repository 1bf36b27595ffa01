#include "drivers/sim/cloud_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers that need nothing from the device (info, 404s, "device offline").
constexpr Duration kApiLatency = milliseconds(100);
// §6: a request to a device the cloud believes online but cannot reach takes ~30 s to give up.
constexpr Duration kDeviceTimeout = seconds(30);
// An update whose device vanished mid-transfer is declared failed after this.
constexpr Duration kUpdateGiveUp = seconds(30);

CloudReply failure(CloudError error, int status, std::string message) {
  CloudReply r;
  r.error = error;
  r.http_status = status;
  r.body = {{"ok", false}, {"error", message}};
  r.message = std::move(message);
  return r;
}

CloudReply success(nlohmann::json body) {
  CloudReply r;
  r.body = std::move(body);
  return r;
}

CloudReply unknown_device() {
  return failure(CloudError::not_found, 404, "Device not found.");
}
// Older servers spell it "Timed out."; the reference says to compare case-insensitively.
CloudReply timed_out() {
  return failure(CloudError::timed_out, 408, "Timed out.");
}

bool registered(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_variable(const DeviceDescription& d, const std::string& name) {
  return std::any_of(d.variables.begin(), d.variables.end(), [&](const auto& v) { return v.first == name; });
}

nlohmann::json timestamp_or_null(const std::optional<Instant>& t) {
  return t ? nlohmann::json(SimParticleCloud::timestamp(*t)) : nlohmann::json(nullptr);
}

}  // namespace

SimParticleCloud::SimParticleCloud(Clock& clock, std::uint64_t run_seed)
    : clock_(clock), run_seed_(run_seed), device_timeout_(kDeviceTimeout), requests_(clock) {}

void SimParticleCloud::enroll(const RackDevice& device, CloudEndpoint& endpoint, const DeviceTiming& timing) {
  devices_.try_emplace(device.id, Record{.name = device.name,
                                         .platform = device.platform,
                                         .endpoint = &endpoint,
                                         .timing = timing,
                                         .random = Random(stream_seed(run_seed_, device.id.str(), "cloud"))});
}

SimParticleCloud::Record* SimParticleCloud::find(const DeviceId& id) {
  const auto it = devices_.find(id);
  return it == devices_.end() ? nullptr : &it->second;
}

bool SimParticleCloud::online(const DeviceId& id) const {
  const auto it = devices_.find(id);
  return it != devices_.end() && it->second.online;
}

std::string SimParticleCloud::timestamp(Instant t) {
  using namespace std::chrono;
  const sys_time<milliseconds> at =
      sys_days{year{2030} / January / 1} + duration_cast<milliseconds>(t.time_since_epoch());
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss time{at - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

// --- what devices tell the cloud ---

void SimParticleCloud::connected(const DeviceId& id, DeviceDescription description,
                                 std::optional<std::string> last_reset) {
  Record* r = find(id);
  if (r == nullptr) return;
  // §6: if the cloud did not notice the device go, `offline` comes right before `online`.
  if (r->online) publish("spark/status", "offline", id);
  r->online = true;
  r->description = std::move(description);
  r->last_handshake = clock_.now();
  mark_heard(id, *r);
  publish("spark/status", "online", id);
  if (last_reset) publish("spark/device/last_reset", *last_reset, id);
}

bool SimParticleCloud::heard(const DeviceId& id) {
  Record* r = find(id);
  if (r == nullptr || !r->online) return false;
  mark_heard(id, *r);
  return true;
}

// §4: the cloud marks a silent device offline about 2 x keepalive after it last heard from it.
void SimParticleCloud::mark_heard(const DeviceId& id, Record& r) {
  r.last_heard = clock_.now();
  r.offline_timer = clock_.after(2 * r.timing.keepalive, [this, id] {
    if (Record* rec = find(id)) go_offline(id, *rec);
  });
}

void SimParticleCloud::go_offline(const DeviceId& id, Record& r) {
  r.offline_timer.cancel();
  if (!r.online) return;
  r.online = false;
  sim_log().debug("cloud: {} offline", r.name);
  publish("spark/status", "offline", id);
}

void SimParticleCloud::disconnected(const DeviceId& id) {
  if (Record* r = find(id)) go_offline(id, *r);
}

void SimParticleCloud::flash_status(const DeviceId& id, std::string_view status) {
  publish("spark/flash/status", std::string(status), id);
}

void SimParticleCloud::update_interrupted(const DeviceId& id) {
  requests_.after(kUpdateGiveUp, [this, id] { flash_status(id, "failed"); });
}

void SimParticleCloud::publish(std::string name, std::string data, const DeviceId& id) {
  CloudEvent event{std::move(name), std::move(data), id, timestamp(clock_.now())};
  requests_.after(Duration{0}, [this, event = std::move(event)] {
    std::vector<ListenerId> ids;
    for (const auto& [listener_id, _] : listeners_) ids.push_back(listener_id);
    for (const ListenerId listener_id : ids) {
      const auto it = listeners_.find(listener_id);
      if (it != listeners_.end()) it->second(event);
    }
  });
}

SimParticleCloud::ListenerId SimParticleCloud::subscribe(Listener listener) {
  listeners_.emplace(++next_listener_, std::move(listener));
  return next_listener_;
}

// --- the REST API ---

void SimParticleCloud::answer(Duration after, Cloud::Reply reply, CloudReply result) {
  requests_.after(after, [reply = std::move(reply), result = std::move(result)] { reply(result); });
}

void SimParticleCloud::through_device(const DeviceId& id, Cloud::Reply reply,
                                      std::function<CloudReply(Record&)> act) {
  Record& r = *find(id);
  const Duration round_trip = r.random.in(r.timing.round_trip);
  const Duration there = round_trip / 2;
  requests_.after(there, [this, id, there, back = round_trip - there, reply = std::move(reply),
                          act = std::move(act)]() mutable {
    Record& rec = *find(id);
    if (!rec.endpoint->answers()) {
      answer(device_timeout_ - there, std::move(reply), timed_out());
      return;
    }
    CloudReply result = act(rec);
    mark_heard(id, rec);
    answer(back, std::move(reply), std::move(result));
  });
}

nlohmann::json SimParticleCloud::info_body(const DeviceId& id, const Record& r) const {
  nlohmann::json variables = nlohmann::json::object();
  for (const auto& [name, type] : r.description.variables) variables[name] = type;
  return {{"id", id.str()},
          {"name", r.name},
          {"online", r.online},
          {"connected", r.online},
          {"last_heard", timestamp_or_null(r.last_heard)},
          {"last_handshake_at", timestamp_or_null(r.last_handshake)},
          {"platform_id", r.platform->id},
          {"product_id", r.platform->id},
          {"cellular", r.platform->cellular()},
          {"functions", r.description.functions},
          {"variables", variables},
          {"system_firmware_version", r.description.system_firmware_version},
          {"firmware_version", r.description.firmware_version},
          {"status", "normal"}};
}

void SimParticleCloud::device_info(const DeviceId& id, Cloud::Reply reply) {
  const Record* r = find(id);
  answer(kApiLatency, std::move(reply), r == nullptr ? unknown_device() : success(info_body(id, *r)));
}

void SimParticleCloud::call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                                     Cloud::Reply reply) {
  const Record* r = find(id);
  if (r == nullptr) return answer(kApiLatency, std::move(reply), unknown_device());
  if (!r->online) return answer(kApiLatency, std::move(reply), timed_out());
  if (!registered(r->description.functions, function)) {
    return answer(kApiLatency, std::move(reply),
                  failure(CloudError::not_found, 404, fmt::format("Function {} not found", function)));
  }
  through_device(id, std::move(reply), [id, function, arg](Record& rec) {
    const int value = rec.endpoint->call_function(function, arg);
    return success({{"id", id.str()}, {"connected", true}, {"return_value", value}});
  });
}

void SimParticleCloud::read_variable(const DeviceId& id, const std::string& variable, Cloud::Reply reply) {
  const Record* r = find(id);
  if (r == nullptr) return answer(kApiLatency, std::move(reply), unknown_device());
  if (!r->online) return answer(kApiLatency, std::move(reply), timed_out());
  if (!has_variable(r->description, variable)) {
    return answer(kApiLatency, std::move(reply),
                  failure(CloudError::not_found, 404, fmt::format("Unknown Variable: {}", variable)));
  }
  through_device(id, std::move(reply), [this, id, variable](Record& rec) {
    nlohmann::json value = rec.endpoint->read_variable(variable);
    return success(
        {{"name", variable},
         {"result", std::move(value)},
         {"coreInfo",
          {{"deviceID", id.str()}, {"connected", true}, {"last_heard", timestamp(clock_.now())}}}});
  });
}

void SimParticleCloud::flash(const DeviceId& id, const std::filesystem::path& firmware, Cloud::Reply reply) {
  const Record* r = find(id);
  if (r == nullptr) return answer(kApiLatency, std::move(reply), unknown_device());
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(firmware, ec);
  if (ec || !std::filesystem::is_regular_file(firmware, ec)) {
    return answer(kApiLatency, std::move(reply),
                  failure(CloudError::bad_request, 400,
                          fmt::format("Nothing to flash: cannot read {}", firmware.string())));
  }
  if (!r->online) return answer(kApiLatency, std::move(reply), timed_out());
  answer(Duration{0}, std::move(reply), success({{"id", id.str()}, {"status", "Update started"}}));

  // The update itself: the device starts it when the cloud's request reaches it.
  Record& rec = *find(id);
  const Duration there = rec.random.in(rec.timing.round_trip) / 2;
  requests_.after(there, [this, id, there, bytes, version = firmware.stem().string()] {
    Record& target = *find(id);
    if (target.endpoint->answers()) {
      target.endpoint->begin_update(bytes, version);
    } else {
      requests_.after(device_timeout_ - there, [this, id] { flash_status(id, "failed"); });
    }
  });
}

}  // namespace cyanrig::sim
